"""The suite's own layout: no test module imports another test module or a conftest.

Shared builders live in ``tests/factories.py``, sockets in ``tests/sockets.py``, server
processes in ``tests/procs.py``, local providers in ``tests/providers.py``, browser steps in
``tests/e2e/support.py``; fixtures stay in the conftest of their directory, which pytest
loads itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(source: str, package: str) -> set[str]:
    """The ``tests`` modules that ``source``, a module of ``package``, imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.add(module)
            # ``from . import test_x`` names the module in the alias.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {m for m in found if m == "tests" or m.startswith("tests.")}


def is_test_module(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def test_no_test_module_imports_a_test_module_or_a_conftest() -> None:
    offenders = set()
    for path in sorted(TESTS.rglob("*.py")):
        package = ".".join(path.relative_to(TESTS.parent).parts[:-1])
        for module in imported_modules(path.read_text(), package):
            if is_test_module(module):
                offenders.add(f"{path.relative_to(TESTS.parent)} imports {module}")
    assert not offenders, sorted(offenders)


def test_the_check_sees_relative_and_absolute_imports() -> None:
    source = (
        "from .test_consumers import x\n"
        "from tests.conftest import y\n"
        "from . import helpers, test_views\n"
        "import tests.e2e.test_desk\n"
        "from ..factories import make_agent\n"
    )
    found = imported_modules(source, "tests.chat")
    assert {m for m in found if is_test_module(m)} == {
        "tests.chat.test_consumers",
        "tests.conftest",
        "tests.chat.test_views",
        "tests.e2e.test_desk",
    }
    assert "tests.factories" in found
