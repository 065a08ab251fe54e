"""The house's wiring as docs/architecture.md describes it, and the import rules it states.

``pytest tests/test_architecture.py -s`` prints every domain event with its listeners, and every
hook registry with its entries, in the order they run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpdesk import dispatch

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
APPS = ("helpdesk", "orders", "chat", "inboxes", "analytics", "audit")


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def _documented(heading: str) -> dict[str, list[str]]:
    """The table under ``heading`` in docs/architecture.md: first column -> the names in the
    second, in order."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(heading)
    rows: dict[str, list[str]] = {}
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        rows[cells[0].strip("`")] = re.findall(r"`([^`]+)`", cells[1])
    return rows


def _compare(title: str, running: dict[str, list[str]], documented: dict[str, list[str]]) -> None:
    print(f"\n{title}")
    for key in sorted(set(running) | set(documented)):
        print(f"  {key}: {', '.join(running.get(key, [])) or '(none)'}")
    problems = []
    for key in sorted(set(running) | set(documented)):
        have, said = running.get(key, []), documented.get(key, [])
        found = [
            f"{key}: {n} is connected but not listed in {DOC.name}" for n in have if n not in said
        ]
        found += [
            f"{key}: {n} is listed in {DOC.name} but not connected" for n in said if n not in have
        ]
        if not found and have != said:
            found.append(f"{key}: they run as {have}, {DOC.name} lists {said}")
        problems += found
    assert not problems, "\n".join(problems)


def test_every_domain_listener_is_listed_in_order() -> None:
    running = {
        event: [_name(listener) for listener in listeners]
        for event, listeners in dispatch.listeners().items()
    }
    documented = _documented("## Who listens to what")
    unknown = set(documented) - dispatch.EVENT_NAMES
    assert not unknown, f"not domain events (helpdesk.dispatch.Event): {sorted(unknown)}"
    _compare("domain event: listeners, in order", running, documented)


def test_every_hook_is_listed_in_order() -> None:
    from chat.events import agent_typing_parts, conversation_payload_parts, message_payload_parts
    from chat.routing.services import bot_gates
    from chat.services.agents import agent_socket_hooks
    from chat.services.message_send import agent_reply_gates
    from chat.sidebar import sidebar_parts
    from helpdesk.model_validators import model_validators
    from helpdesk.storefront import storefront_context_parts
    from orders.privacy import erase_hooks, export_hooks
    from orders.services.identity import merge_hooks

    running = {
        "chat.events.conversation_payload_register": conversation_payload_parts(),
        "chat.events.message_payload_register": message_payload_parts(),
        "chat.events.agent_typing_register": agent_typing_parts(),
        "chat.services.message_send.agent_reply_gate_register": agent_reply_gates(),
        "orders.services.identity.register_merge": merge_hooks,
        "chat.services.agents.agent_socket_hook_register": agent_socket_hooks(),
        "chat.routing.services.bot_gate_register": bot_gates,
        "orders.privacy.register_export": export_hooks,
        "orders.privacy.register_erase": erase_hooks,
        "helpdesk.storefront.storefront_context_register": storefront_context_parts(),
        "helpdesk.model_validators.model_validator_register": model_validators(),
        "chat.sidebar.sidebar_part_register": sidebar_parts(),
    }
    _compare(
        "registry: entries, in order",
        {key: [_name(fn) for fn in fns] for key, fns in running.items() if fns},
        _documented("### Hooks"),
    )


def test_a_domain_event_name_outside_the_list_is_refused() -> None:
    def listener(event: dispatch.DomainEvent) -> None:
        raise AssertionError("never called")

    try:
        dispatch.subscribe("order.placed", listener)
    except ValueError as error:
        assert "order.placed" in str(error)
    else:
        dispatch.unsubscribe("order.placed", listener)
        raise AssertionError("an unknown event name was accepted")


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, names) for every ``import`` / ``from … import`` in ``path``."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.append((node.lineno, module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node.lineno, alias.name, []))
    return found


def _app_modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_apps_import_services_from_the_module_that_owns_them() -> None:
    """``chat.services`` re-exports its services for tests and the shell; the apps name the
    owning module (``chat.services.message_send``), so a reader sees where a write lives."""
    import chat.services

    submodules = {p.stem for p in Path(chat.services.__file__).parent.glob("*.py")}
    offenders = []
    for path in _app_modules():
        for line, module, names in _imports(path):
            via_package = (module == "chat.services" and set(names) - submodules) or (
                module == "chat" and "services" in names
            )
            if via_package:
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert not offenders, offenders


def test_app_boundaries() -> None:
    """Orders knows nothing of chat and analytics, chat nothing of the apps above it (inboxes,
    analytics: they plug into chat's registries); only the socket URLs import the consumers
    (the transport); chat reads orders through its selectors and services, not its APIs."""
    offenders = []
    for path in _app_modules():
        where = path.relative_to(ROOT)
        app = where.parts[0]
        for line, module, names in _imports(path):
            targets = {module, *(f"{module}.{name}" for name in names)}
            if app == "orders" and module.split(".")[0] in ("chat", "analytics"):
                offenders.append(f"{where}:{line} orders imports {module}")
            if app == "chat" and module.split(".")[0] in ("inboxes", "analytics"):
                offenders.append(f"{where}:{line} chat imports {module}")
            transport = any(
                t == "chat.consumers" or t.startswith("chat.consumers.") for t in targets
            )
            inside = (
                where.parts[:2] == ("chat", "consumers") or str(where) == "chat/websocket_urls.py"
            )
            if transport and not inside:
                offenders.append(f"{where}:{line} imports the transport chat.consumers")
            if app == "chat" and any(t.startswith("orders.apis") for t in targets):
                offenders.append(f"{where}:{line} chat imports the orders API")
    assert not offenders, "\n".join(offenders)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the app modules it imports, at the top or inside a function alike (an import
    moved into a function still ties the two). ``from package import name`` ties to the
    submodule ``name`` when there is one, else to the package."""
    modules: dict[str, Path] = {}
    for path in _app_modules():
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for _line, module, names in _imports(path):
            for imported in names or [""]:
                submodule = f"{module}.{imported}"
                if imported and submodule in modules:
                    targets.add(submodule)
                elif module in modules:
                    targets.add(module)
        graph[name] = targets - {name}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def test_the_circle_finder_finds_circles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d", "f"}, "f": {"e"}}
    assert sorted(map(sorted, _circles(graph))) == [["a", "b", "c"], ["e", "f"]]


def test_no_import_circle() -> None:
    """Dependencies run one way: a module that needs a piece of a higher one gets that piece
    moved down a layer (``chat.routing.selectors`` holds who is live, which presence writes;
    ``helpdesk.errors`` what an outage is, which ``helpdesk.db_health`` builds its circuit on;
    ``analytics.vectors`` the topic-vector task the rollup asks for), or is handed it through a
    registry its owner fills from ``ready()`` (``helpdesk.model_validators``: the checks a
    model's ``clean()`` runs)."""
    graph = _import_graph()
    problems = []
    for circle in _circles(graph):
        problems.append(f"import circle: {' <-> '.join(sorted(circle))}")
        problems += [
            f"  {module} imports {', '.join(sorted(graph[module] & circle))}"
            for module in sorted(circle)
        ]
    assert not problems, "\n".join(problems)
