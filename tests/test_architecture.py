"""Boundaries that keep the code base in shape (see docs/architecture.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any level (TYPE_CHECKING blocks included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def imports_any(path: Path, *prefixes: str) -> list[str]:
    return sorted(
        name
        for name in imported_modules(path)
        if any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)
    )


def offenders(paths: Iterator[Path], *prefixes: str) -> dict[str, list[str]]:
    found = {str(p.relative_to(ROOT)): imports_any(p, *prefixes) for p in paths}
    return {path: names for path, names in found.items() if names}


def test_services_know_nothing_of_discord_entry_points_or_the_sandbox() -> None:
    assert (
        offenders(
            python_files("bot/services"),
            "discord",
            "bot.app",
            "bot.discord",
            "cogs",
            "jobs",
            "sandbox",
        )
        == {}
    )


def test_services_never_commit() -> None:
    """The caller owns the transaction (``Database.write``); services only flush."""
    for path in python_files("bot/services"):
        text = path.read_text(encoding="utf-8")
        assert ".commit(" not in text, path


def test_bot_outside_its_discord_package_does_not_import_discord() -> None:
    """``bot/`` keeps what is not Discord; the app factory is the one place that wires both."""
    paths = (
        p
        for p in python_files("bot")
        if "discord" not in p.relative_to(ROOT / "bot").parts and p.name != "app.py"
    )
    assert offenders(paths, "discord") == {}


def test_jobs_never_see_the_bot() -> None:
    """Jobs take a JobContext: no import of the app, of cogs or of Discord, not even for types."""
    assert offenders(python_files("jobs"), "bot.app", "cogs", "discord", "sandbox") == {}
    for path in python_files("jobs"):
        assert "HackBot" not in path.read_text(encoding="utf-8"), path


def test_the_local_servers_import_nothing_from_the_bot() -> None:
    """The local Discord, Hub and Calendar stand for the real services: they know no bot."""
    paths = [
        *python_files("sandbox/discord", "sandbox/hub", "sandbox/gcal"),
        ROOT / "sandbox" / "http_util.py",
    ]
    assert offenders(iter(paths), "bot", "cogs", "jobs") == {}


def test_production_code_never_imports_the_sandbox() -> None:
    """`pip install hackbot` without the sandbox extra must run, check config and migrate."""
    paths = (p for p in python_files("bot", "cogs", "jobs", "migrations"))
    found = offenders(paths, "sandbox")
    # The CLI's rehearse/demo import it on demand and say how to install it when missing.
    assert found == {"bot/cli.py": ["sandbox.rehearse", "sandbox.rehearse.main"]}


def test_cogs_do_not_reach_into_other_features() -> None:
    for path in python_files("cogs"):
        feature = path.relative_to(ROOT / "cogs").parts[0]
        text = path.read_text(encoding="utf-8")
        assert "get_cog(" not in text, path
        foreign = [
            name
            for name in imports_any(path, "cogs")
            if name.split(".")[1] != feature.removesuffix(".py")
        ]
        assert foreign == [], (path, foreign)


WRITE_PATHS = (".transaction(", ".sessions(", ".sessions.begin(", "engine.begin(")


@pytest.mark.parametrize("folder", ["cogs", "jobs", "bot/discord", "bot/app.py"])
def test_one_way_to_write(folder: str) -> None:
    """Entry points write through ``Database.write``, which reruns a transaction PostgreSQL
    aborted (deadlock, serialization); opening a transaction by hand skips that."""
    target = ROOT / folder
    paths = [target] if target.is_file() else sorted(target.rglob("*.py"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for call in WRITE_PATHS:
            assert call not in text, (path, call)


def test_mentions_are_built_by_one_helper() -> None:
    """``bot.discord.mentions`` builds ``<@id>`` and ``<#id>``; nothing hand-writes them."""
    helper = ROOT / "bot" / "discord" / "mentions.py"
    for path in python_files("bot", "cogs", "jobs"):
        if path == helper:
            continue
        text = path.read_text(encoding="utf-8")
        assert 'f"<@' not in text and 'f"<#' not in text, path


def test_entry_points_are_discovered_not_listed() -> None:
    """A new cog or job is a new module: no list of modules to keep in step."""
    from bot.app import cog_modules
    from jobs import job_modules

    cogs_found = cog_modules()
    assert "cogs.teams.team" in cogs_found and "cogs.admin.status" in cogs_found
    assert "cogs.teams.views" not in cogs_found  # no setup: not an extension
    found = job_modules()
    assert found == sorted(found)
    assert {
        "jobs.admin_heartbeat",
        "jobs.teams_expiry",
        "jobs.mentors_reminders",
        "jobs.leaderboard_post",
        "jobs.announcements_send",
        "jobs.submissions_retry",
        "jobs.talks_sync",
    } <= set(found)
    for name in ("app.py", "cli.py"):
        text = (ROOT / "bot" / name).read_text(encoding="utf-8")
        assert '"cogs.' not in text and '"jobs.' not in text, name


BLOCKING = ("time" + ".sleep(", "import " + "requests")  # spelled apart so this file passes too


def test_no_blocking_calls_in_async_code() -> None:
    for path in python_files("bot", "cogs", "jobs"):
        text = path.read_text(encoding="utf-8")
        for call in BLOCKING:
            assert call not in text, (path, call)
