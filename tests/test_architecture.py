"""The arrows of docs/ARCHITECTURE.md: which rooms may import which, and no import circles."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

from bot.paths import PROJECT_DIR

ROOMS = ("knowledge", "actions", "bot", "tools")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> Iterator[Tuple[str, bool]]:
    """(imported module, at module level?) for every import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in top_level
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            yield base, id(node) in top_level
            for alias in node.names:
                yield f"{base}.{alias.name}", id(node) in top_level


def _python_files(room: str) -> List[Path]:
    return sorted(p for p in (PROJECT_DIR / room).rglob("*.py") if "migrations" not in p.parts)


def _room_imports(room: str) -> Dict[str, Set[str]]:
    return {_module_name(p): {name for name, _ in _imports(p)} for p in _python_files(room)}


def _offending(room: str, forbidden: Tuple[str, ...]) -> List[str]:
    found = []
    for module, imported in _room_imports(room).items():
        for name in imported:
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{module} imports {name}")
    return sorted(found)


@pytest.mark.parametrize(
    "room, forbidden",
    [
        ("knowledge", ("rasa", "rasa_sdk", "actions", "bot", "tools", "tests", "sanic")),
        ("actions", ("bot", "tools", "tests", "rasa")),
        ("bot", ("tools", "tests", "actions")),
    ],
)
def test_a_room_never_imports_what_it_must_not(room: str, forbidden: Tuple[str, ...]) -> None:
    assert _offending(room, forbidden) == []


@pytest.mark.parametrize("channel", ["webchat", "telegram", "wechat"])
def test_a_channel_never_imports_another_channel(channel: str) -> None:
    others = tuple(f"bot.channels.{c}" for c in ("webchat", "telegram", "wechat") if c != channel)
    found = []
    for path in (PROJECT_DIR / "bot" / "channels" / channel).rglob("*.py"):
        found += [f"{_module_name(path)} imports {name}" for name, _ in _imports(path) if name.startswith(others)]
    assert found == []


def _own_module(name: str, modules: Set[str]) -> str | None:
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def test_there_are_no_import_circles_even_through_imports_inside_functions() -> None:
    paths = [p for room in ROOMS for p in _python_files(room)]
    modules = {_module_name(p) for p in paths}
    graph: Dict[str, Set[str]] = defaultdict(set)
    for path in paths:
        module = _module_name(path)
        for name, _ in _imports(path):
            target = _own_module(name, modules)
            # A package's __init__ importing its own submodules lazily is not a circle.
            if target and target != module and not target.startswith(module + "."):
                graph[module].add(target)
    cycles: List[List[str]] = []
    state: Dict[str, int] = {}

    def visit(node: str, stack: List[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for module in sorted(modules):
        if module not in state:
            visit(module, [])
    assert cycles == []


def test_runtime_never_imports_the_tests_or_the_tools() -> None:
    runtime = ("bot", "actions", "knowledge")
    assert [f for room in runtime for f in _offending(room, ("tests", "tools"))] == []


def test_only_the_delivery_composition_reaches_into_the_channels() -> None:
    """bot/channels/delivery/ sends on every channel: its per-channel modules are built by compose.py
    alone, which the web chat channel calls; everyone else (the console, other features) sees only the
    router and the contract."""
    allowed = {
        "bot.channels.delivery.wechat": {"bot.channels.delivery.compose"},
        "bot.channels.delivery.telegram": {"bot.channels.delivery.compose"},
        "bot.channels.delivery.webchat": {"bot.channels.delivery.compose"},
        "bot.channels.delivery.compose": {"bot.channels.webchat.channel"},
    }
    found = []
    for path in _python_files("bot"):
        module = _module_name(path)
        for name, _ in _imports(path):
            target = next((t for t in allowed if name == t or name.startswith(t + ".")), None)
            if target and target != module and module not in allowed[target]:
                found.append(f"{module} imports {name}")
    assert found == []
