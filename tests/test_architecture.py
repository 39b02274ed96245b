"""Boundaries that keep the code base in shape."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_services_never_import_discord() -> None:
    offenders = []
    for path in (ROOT / "bot" / "services").rglob("*.py"):
        if any(name == "discord" or name.startswith("discord.") for name in imported_modules(path)):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_cogs_do_not_reach_into_other_cogs() -> None:
    for path in (ROOT / "cogs").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "get_cog(" not in text, path
        assert not any(name.startswith("cogs.") for name in imported_modules(path)), path


BLOCKING = ("time" + ".sleep(", "import " + "requests")  # spelled apart so this file passes too


def test_no_blocking_calls_in_async_code() -> None:
    for folder in ("bot", "cogs", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for call in BLOCKING:
                assert call not in text, (path, call)
