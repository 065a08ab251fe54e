"""Demo data: each app contributes a loader; ``manage.py demo_data`` runs them in order.

A loader is idempotent (running the command twice changes nothing) and registers itself with
``register``. Apps append to this list in their ``demo.py`` modules, imported by the command.
"""

from __future__ import annotations

from collections.abc import Callable

Loader = Callable[[Callable[[str], None]], None]
LOADERS: list[tuple[int, str, Loader]] = []


def register(order: int, name: str) -> Callable[[Loader], Loader]:
    def wrap(fn: Loader) -> Loader:
        LOADERS.append((order, name, fn))
        return fn

    return wrap
