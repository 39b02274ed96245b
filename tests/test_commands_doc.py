"""docs/commands.md is generated from the real command tree; it must never drift."""

from __future__ import annotations

import json

import pytest

from bot.discord.commands_doc import render_markdown
from bot.settings import Settings
from tests.conftest import ROOT
from tests.test_cli import hackbot


@pytest.fixture(scope="module")
def entries() -> list[dict[str, object]]:
    result = hackbot("commands", "--json")
    assert result.returncode == 0, result.stderr
    parsed: list[dict[str, object]] = json.loads(result.stdout)
    return parsed


def test_docs_commands_md_matches_the_tree(entries: list[dict[str, object]]) -> None:
    page = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    assert page == render_markdown(entries), "run `make docs` to regenerate docs/commands.md"


def test_json_lists_every_leaf_with_options_and_roles(entries: list[dict[str, object]]) -> None:
    by_name = {entry["name"]: entry for entry in entries}
    assert {"team create", "team join", "teamadmin lock", "admin status", "lft post"} <= set(
        by_name
    )
    create = by_name["team create"]
    assert create["roles"] == ["participant", "organizer"]
    assert by_name["team list"]["roles"] == by_name["team info"]["roles"] == ["everyone"]
    options = {o["name"]: o for o in create["options"]}  # type: ignore[attr-defined]
    assert options["name"] == {"name": "name", "type": "string", "required": True, "choices": []}
    assert by_name["teamadmin lock"]["roles"] == ["organizer"]
    assert by_name["team create"]["localized"]["es-ES"] == "equipo crear"  # type: ignore[index]


def test_every_organizer_command_checks_the_role_in_code(
    entries: list[dict[str, object]], settings: Settings
) -> None:
    for entry in entries:
        name = str(entry["name"])
        if name.split(maxsplit=1)[0] in ("admin", "teamadmin"):
            assert entry["roles"] == ["organizer"], name


def test_every_participant_command_checks_the_role_in_code(
    entries: list[dict[str, object]],
) -> None:
    """Commands that change teams need the participant role (organizers may act for them);
    reading teams is open to everyone in the server."""
    for entry in entries:
        name = str(entry["name"])
        if name.split(maxsplit=1)[0] in ("team", "lft") and name not in ("team info", "team list"):
            assert entry["roles"] == ["participant", "organizer"], name
