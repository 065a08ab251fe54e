"""A garbage-collection probe for any Python process started with this folder on PYTHONPATH.

    PYTHONPATH=bench/gcprobe GCPROBE_LOG=/tmp/gc.log python bench/load.py ...

Every full (generation 2) collection, and any other one over ``GCPROBE_MIN_MS`` (default 30),
appends one line to ``GCPROBE_LOG``: pid, the process's role (uvicorn or the load generator),
wall time, generation, pause in ms, objects collected and uncollectable, objects tracked after
it (all generations, frozen ones excluded; counted only after full collections: building that
list costs a few ms of its own at a million objects) and ``gc.get_freeze_count()``.
``bench/gcprobe/summary.py`` reads the log.
"""

import gc
import os
import sys
import time

_LOG = os.environ.get("GCPROBE_LOG")
_MIN = float(os.environ.get("GCPROBE_MIN_MS", "30")) / 1000

if _LOG:
    _role = "server" if any("uvicorn" in a or "asgi" in a for a in sys.argv) else "other"
    _start = [0.0]

    def _probe(phase, info):
        if phase == "start":
            _start[0] = time.perf_counter()
            return
        took = time.perf_counter() - _start[0]
        generation = info.get("generation", 0)
        if generation < 2 and took < _MIN:
            return
        tracked = len(gc.get_objects()) if generation == 2 else -1
        line = (
            f"{os.getpid()} {_role} {time.time():.3f} gen={generation} ms={took * 1000:.1f}"
            f" collected={info.get('collected', 0)} uncollectable={info.get('uncollectable', 0)}"
            f" tracked={tracked} frozen={gc.get_freeze_count()}\n"
        )
        with open(_LOG, "a") as f:
            f.write(line)

    gc.callbacks.append(_probe)


# With GCPROBE_DUMP set to a folder: the first SIGUSR1 collects, then keeps every object the
# collector frees from then on (gc.DEBUG_SAVEALL); the second collects again and writes what
# was cyclic garbage in between (counts by type, and the shortest reference cycle through
# one object of each of the commonest types) to GCPROBE_DUMP/garbage-<pid>.txt.
_DUMP = os.environ.get("GCPROBE_DUMP")

if _DUMP:
    import collections
    import signal

    _armed = [False]

    def _name(obj):
        kind = type(obj)
        return f"{kind.__module__}.{kind.__qualname__}"

    def _edge(src, dst):
        if isinstance(src, dict):
            for key, value in src.items():
                if value is dst:
                    return f"[{key!r}]"
        for attr in ("__dict__", "__self__", "__func__", "cell_contents", "f_locals"):
            try:
                if getattr(src, attr) is dst:
                    return "." + attr
            except Exception:
                pass
        return ""

    def _cycle(start, ids):
        # shortest path start -> ... -> start through objects of the garbage only
        parents = {id(start): None}
        queue = collections.deque([start])
        while queue:
            obj = queue.popleft()
            for ref in gc.get_referents(obj):
                if ref is start:
                    path = [obj]
                    while parents[id(path[-1])] is not None:
                        path.append(parents[id(path[-1])])
                    path.reverse()
                    return path
                if id(ref) in ids and id(ref) not in parents:
                    parents[id(ref)] = obj
                    queue.append(ref)
        return []

    def _sccs(objects, ids):
        # Tarjan's algorithm, iterative, over the garbage's references among themselves
        index = {}
        low = {}
        stack = []
        on = set()
        by_id = {id(o): o for o in objects}
        counter = 0
        for root in objects:
            if id(root) in index:
                continue
            work = [(root, iter([r for r in gc.get_referents(root) if id(r) in ids]))]
            index[id(root)] = low[id(root)] = counter
            counter += 1
            stack.append(root)
            on.add(id(root))
            while work:
                node, children = work[-1]
                advanced = False
                for child in children:
                    cid = id(child)
                    if cid not in index:
                        index[cid] = low[cid] = counter
                        counter += 1
                        stack.append(child)
                        on.add(cid)
                        work.append(
                            (child, iter([r for r in gc.get_referents(child) if id(r) in ids]))
                        )
                        advanced = True
                        break
                    if cid in on:
                        low[id(node)] = min(low[id(node)], index[cid])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[id(parent)] = min(low[id(parent)], low[id(node)])
                if low[id(node)] == index[id(node)]:
                    scc = []
                    while True:
                        member = stack.pop()
                        on.discard(id(member))
                        scc.append(member)
                        if member is node:
                            break
                    yield scc
        del by_id

    def _dump(signum, frame):
        if not _armed[0]:
            gc.collect()
            gc.garbage.clear()
            gc.set_debug(gc.DEBUG_SAVEALL)
            _armed[0] = True
            with open(os.path.join(_DUMP, f"armed-{os.getpid()}"), "w") as f:
                f.write("armed\n")
            return
        gc.collect()
        gc.set_debug(0)
        garbage = list(gc.garbage)
        gc.garbage.clear()
        _armed[0] = False
        ids = {id(o) for o in garbage}
        counts = collections.Counter(_name(o) for o in garbage)
        out = [f"{len(garbage)} objects of cyclic garbage"]
        out += [f"{n:8d} {name}" for name, n in counts.most_common(80)]
        # the reference cycles themselves: strongly connected parts of the garbage, grouped
        # by the types in them, with one cycle of each group written out
        groups = collections.Counter()
        example = {}
        for scc in _sccs(garbage, ids):
            if len(scc) < 2 and not any(r is scc[0] for r in gc.get_referents(scc[0])):
                continue
            key = " + ".join(
                f"{n}x {t}" if n > 1 else t
                for t, n in sorted(collections.Counter(_name(o) for o in scc).items())
                if not t.startswith("builtins.") or t in ("builtins.coroutine", "builtins.frame")
            ) or "builtins only: " + ", ".join(sorted({_name(o) for o in scc}))
            groups[key] += 1
            example.setdefault(key, scc)
        out.append("\ncycles (strongly connected parts), by the non-builtin types in them:")
        for key, n in groups.most_common(40):
            out.append(f"\n{n:6d} x [{len(example[key])} objects] {key}")
            scc = example[key]
            members = {id(o) for o in scc}
            seed = next((o for o in scc if not _name(o).startswith("builtins.")), scc[0])
            path = _cycle(seed, members)
            for i, step in enumerate(path):
                nxt = path[(i + 1) % len(path)]
                desc = ""
                if type(step).__name__ == "coroutine":
                    desc = step.cr_code.co_qualname
                elif type(step).__name__ == "frame":
                    desc = step.f_code.co_qualname
                elif type(step).__name__ in ("function", "method", "builtin_function_or_method"):
                    desc = getattr(step, "__qualname__", "")
                elif type(step).__name__ == "cell":
                    desc = ""
                out.append(f"      {_name(step)} {desc} {_edge(step, nxt)}")
        with open(os.path.join(_DUMP, f"garbage-{os.getpid()}.txt"), "w") as f:
            f.write("\n".join(out) + "\n")
        del garbage

    signal.signal(signal.SIGUSR1, _dump)
