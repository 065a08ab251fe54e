"""How fast the storefront widget is ready on a shop's page: one bundled script or the ES
modules it is built from (docs/frontend.md, "One file for shops").

A shop page on its own origin (a small local HTTP server) embeds the widget from the desk
(uvicorn, production settings, on loopback). Headless Chromium loads it with a cold cache (a
new context per load, cache disabled through CDP), with and without an emulated slow network
(CDP ``Network.emulateNetworkConditions``: added latency per request and a bandwidth cap).
Measured in the page, from navigation start:

- ``launcher``: the widget's host element is in the page (the core built the launcher and
  the panel: the shopper can click);
- ``session``: the ``POST /api/widget/session`` answer arrived (parts loaded, chat usable);
- ``requests``: requests to the desk up to then.

Variants: ``bundle`` (the one tag shops use: ``static/widget/widget.js``), ``modules`` (one
``<script type="module">`` tag on ``static/widget/core/main.js``: the browser discovers the
imports level by level), ``modules+preload`` (the same plus a ``<link rel="modulepreload">``
per module, the best a page could do without a build step, at the cost of shops pasting
twenty tags).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/helpdesk_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/widget_load.py --runs 5

Loopback only; every loop is bounded by ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "static" / "widget" / "core"

# name: (added latency per request in ms, download kbit/s, upload kbit/s); None = no emulation.
PROFILES: dict[str, tuple[float, float, float] | None] = {
    "loopback": None,
    # Lighthouse's "slow 4G" mobile throttling: 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up.
    "mobile-150ms": (150, 1600, 750),
    # DevTools' "Slow 3G" preset: 2 s latency (400 ms × 5), 400 kbit/s each way.
    "slow-3g": (2000, 400, 400),
}

MEASURE = """
(() => {
  window.__hd = {};
  const seen = () => {
    if (!window.__hd.launcher && document.getElementById('helpdesk-widget')) {
      window.__hd.launcher = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
})();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except Exception:
            time.sleep(0.3)
    raise TimeoutError(url)


def module_paths() -> list[str]:
    """Static paths of every module the unbundled widget imports, entry first (its graph)."""
    import re

    static = ROOT / "static"
    found: list[Path] = []
    todo = [CORE / "main.js"]
    while todo:
        path = todo.pop(0).resolve()
        if path in found:
            continue
        found.append(path)
        for spec in re.findall(r'^import .*? from "(\.[^"]+)";', path.read_text(), re.M):
            todo.append(path.parent / spec)
    return [str(p.relative_to(static)) for p in found]


def shop_page(variant: str, desk: str) -> bytes:
    if variant == "bundle":
        tag = f'<script src="{desk}/static/widget/widget.js" async></script>'
    else:
        tag = f'<script type="module" src="{desk}/static/widget/core/main.js" async></script>'
        if variant == "modules+preload":
            links = "".join(
                f'<link rel="modulepreload" href="{desk}/static/{path}" crossorigin>'
                for path in module_paths()
            )
            tag = links + tag
    body = "".join(f"<p>Product {i}: a fine thing.</p>" for i in range(40))
    return f"<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1>{body}{tag}</body></html>".encode()


def serve_shop(desk: str) -> tuple[ThreadingHTTPServer, str]:
    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            page = shop_page(self.path.strip("/"), desk)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Shop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def load_once(
    browser: Any, url: str, desk: str, profile: tuple[float, float, float] | None
) -> dict[str, float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if profile:
            latency, down, up = profile
            cdp.send(
                "Network.emulateNetworkConditions",
                {
                    "offline": False,
                    "latency": latency,
                    "downloadThroughput": down * 1000 / 8,
                    "uploadThroughput": up * 1000 / 8,
                },
            )
        page.add_init_script(MEASURE)
        page.goto(url, wait_until="commit", timeout=120_000)
        page.wait_for_function(
            """() => window.__hd && window.__hd.launcher &&
                 performance.getEntriesByType('resource').some(e => e.name.endsWith('/api/widget/session') && e.responseEnd > 0)""",
            timeout=120_000,
            polling=50,
        )
        return dict(
            page.evaluate(
                """desk => {
                  const all = performance.getEntriesByType('resource').filter(e => e.name.startsWith(desk));
                  const session = all.find(e => e.name.endsWith('/api/widget/session'));
                  const launcher = window.__hd.launcher;
                  return {
                    launcher,
                    session: session.responseEnd,
                    requests: all.filter(e => e.startTime <= launcher).length,
                    requests_session: all.filter(e => e.startTime <= session.responseEnd).length,
                    entries: all.map(e => [e.name.slice(desk.length), Math.round(e.startTime), Math.round(e.responseEnd)]),
                  };
                }""",
                desk,
            )
        )
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="loads per variant and profile")
    parser.add_argument(
        "--profiles", default=",".join(PROFILES), help="comma-separated: " + ", ".join(PROFILES)
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--verbose", action="store_true", help="print each variant's request waterfall"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL and REDIS_URL (production settings), as in `make bench`.")

    port = free_port()
    desk = f"http://127.0.0.1:{port}"
    shop_server, shop = serve_shop(desk)
    env = dict(os.environ)
    env.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    env.setdefault("STOREFRONT_IDENTITY_SECRET", "bench-only-storefront-secret")
    env.update(STOREFRONT_ORIGINS=shop, SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", DEBUG="0")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "helpdesk.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_http(desk + "/static/widget/widget.js")
            results = run(
                shop, desk, args.runs, [p for p in args.profiles.split(",") if p], args.verbose
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
            shop_server.shutdown()
    sizes = {
        "bundle_bytes": (ROOT / "static/widget/widget.js").stat().st_size,
        "modules_bytes": sum((ROOT / "static" / p).stat().st_size for p in module_paths()),
        "modules": len(module_paths()),
    }
    print(json.dumps(sizes))
    if args.json:
        args.json.write_text(json.dumps({"sizes": sizes, "results": results}, indent=2))


def run(
    shop: str, desk: str, runs: int, profiles: list[str], verbose: bool
) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        print(
            f"{'profile':<14}{'variant':<17}{'launcher ms (median, min-max)':<32}{'session ms':<12}requests"
        )
        for name in profiles:
            for variant in ("bundle", "modules", "modules+preload"):
                # One warm-up load (server caches, the browser's process) not counted.
                load_once(browser, f"{shop}/{variant}", desk, PROFILES[name])
                samples = [
                    load_once(browser, f"{shop}/{variant}", desk, PROFILES[name])
                    for _ in range(runs)
                ]
                if verbose:
                    print(
                        "  desk requests of the first load [path, start ms, end ms]:",
                        json.dumps(samples[0]["entries"]),
                    )
                launcher = [s["launcher"] for s in samples]
                session = [s["session"] for s in samples]
                row: dict[str, Any] = {
                    "profile": name,
                    "variant": variant,
                    "launcher_median_ms": round(statistics.median(launcher)),
                    "launcher_min_ms": round(min(launcher)),
                    "launcher_max_ms": round(max(launcher)),
                    "session_median_ms": round(statistics.median(session)),
                    "requests_before_launcher": int(
                        statistics.median(s["requests"] for s in samples)
                    ),
                    "requests_before_session": int(
                        statistics.median(s["requests_session"] for s in samples)
                    ),
                }
                results.append(row)
                spread = f"{row['launcher_median_ms']} ({row['launcher_min_ms']}-{row['launcher_max_ms']})"
                print(
                    f"{name:<14}{variant:<17}{spread:<32}{row['session_median_ms']:<12}"
                    f"{row['requests_before_launcher']} / {row['requests_before_session']}",
                    flush=True,
                )
        browser.close()
    return results


if __name__ == "__main__":
    main()
