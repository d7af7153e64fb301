"""The layout is a rule, not a habit: imports point inward and the two supervision rooms stay apart.

Read from the source (every `import`, also those inside functions), so a lazy import cannot hide a
dependency and nothing here depends on what Django happened to load first.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("hotline", "stations", "tickets", "supervision", "analysis", "suggest", "attachments", "connector")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _resolve(name: str) -> str | None:
    """The project module an imported name lives in (a module, or the package that defines it)."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def imports_of(module: str) -> frozenset[str]:
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from x import y` may import the submodule x.y or a name defined in x.
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target and target != module:
                targets.add(target)
    return frozenset(targets)


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in imports_of(todo.pop()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def room(prefix: str) -> list[str]:
    return sorted(m for m in modules() if m == prefix or m.startswith(prefix + "."))


@pytest.mark.parametrize("module", room("supervision"))
def test_the_notices_room_never_imports_the_analysis_room(module):
    assert sorted(m for m in reachable(module) if m.startswith("analysis")) == []


@pytest.mark.parametrize("module", room("analysis"))
def test_the_analysis_room_never_imports_the_notices_code(module):
    # Analysis reads notices through the app registry (apps.get_model), never through their code.
    assert sorted(m for m in reachable(module) if m.startswith("supervision")) == []


def test_no_module_imports_itself_back():
    cycles = sorted(m for m in modules() if m in reachable(m) and modules()[m].name != "__init__.py")
    assert cycles == []


def test_only_tasks_and_app_configs_may_import_a_task_module():
    offenders = sorted(
        (module, target)
        for module in modules()
        for target in imports_of(module)
        if target.endswith(".tasks") and not module.endswith((".tasks", ".apps")) and module != "hotline.celery"
    )
    assert offenders == []
