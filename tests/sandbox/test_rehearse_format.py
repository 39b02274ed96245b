"""`hackbot rehearse`: the readable transcript, `parallel` failures, `--db`, `hackbot demo` from
anywhere, and docs/rehearsals.md as the whole format. Run as organizers would: the real CLI."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox.hub import LocalHub
from sandbox.scenario import (
    EVENT_KEYS,
    HUB_REPO_KEYS,
    MEMBER_KEYS,
    REGISTRATION_KEYS,
    STEP_KEYS,
    TOP_KEYS,
    ScenarioError,
    load_scenario,
)
from sandbox.transcript import render_step, shorten, visible
from tests.conftest import CONFIG, ROOT

HEADER = f"""
title = "format"
clock = "2024-03-20T10:00:00Z"
config = "{CONFIG}"

[members.ana]
roles = ["participant"]

[members.bea]
roles = ["participant"]
locale = "en-US"

[members.olga]
roles = ["organizer"]
locale = "en-US"
"""

CREATE = '[[steps]]\nas = "ana"\nrun = "team create"\noptions = { name = "Los Tigres" }\n'


def hackbot(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def rehearse(tmp_path: Path, body: str, *args: str) -> subprocess.CompletedProcess[str]:
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(HEADER + body, encoding="utf-8")
    return hackbot("rehearse", str(scenario), *args)


def json_lines(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# -- parallel ------------------------------------------------------------------------------------


def test_a_failed_click_in_parallel_keeps_its_siblings(tmp_path: Path) -> None:
    body = CREATE + (
        "[[steps]]\nparallel = [\n"
        '  { as = "bea", click = "Nope" },\n'
        '  { as = "ana", run = "team info" },\n'
        '  { as = "bea", run = "team info" },\n'
        "]\n"
    )
    result = rehearse(tmp_path, body, "--json")
    assert result.returncode == 1, result.stderr
    step = json_lines(result)[1]
    assert len(step["replies"]) == 3 and len(step["ack_ms"]) == 3
    assert step["replies"][0] == [] and step["ack_ms"][0] is None
    assert step["replies"][1][0]["embeds"][0]["title"] == "Los Tigres"
    assert step["replies"][2][0]["ephemeral"] is True
    assert [e["type"] for e in step["errors"]] == ["step_failed"]
    assert step["errors"][0]["message"].startswith("action 1: ")
    assert "Nope" in step["errors"][0]["message"]


# -- the readable transcript -----------------------------------------------------------------------


def test_invisible_characters_are_shown_escaped() -> None:
    assert visible("Los\u200bTigres\u202e") == "Los\\u200bTigres\\u202e"
    assert visible("a\u00a0b\u3164c\tz\x07") == "a\\u00a0b\\u3164c\\tz\\u0007"
    assert visible("tag\U000e0041") == "tag\\U000e0041"
    assert visible("Año «ñandú» 🐯 — ok") == "Año «ñandú» 🐯 — ok"


def test_long_values_are_cut_with_their_length() -> None:
    assert shorten("x" * 300) == "x" * 300
    assert shorten("x" * 2000) == "x" * 300 + "… (2,000 characters)"


def test_render_step_escapes_and_cuts_every_value() -> None:
    line = {
        "step": 1,
        "action": {"as": "ana", "run": "team create", "options": {"name": "A\u200bB"}},
        "replies": [{"ephemeral": True, "content": "y" * 2000, "embeds": []}],
        "ack_ms": 3.0,
        "effects": [
            {"type": "message", "channel": "equipos", "content": "hola\u2028<@1>", "embeds": []},
            {"type": "thread_member_added", "thread": "Los\u200bTigres", "member": "ana"},
        ],
        "errors": [],
    }
    out = io.StringIO()
    render_step(out, line, lambda text: text.replace("<@1>", "@ana"))
    text = out.getvalue()
    assert '[1] ana runs /team create name="A\\u200bB"' in text
    assert "y" * 300 + "… (2,000 characters)" in text and "y" * 301 not in text
    assert "• posts in equipos: hola\\u2028@ana" in text
    assert "thread=Los\\u200bTigres" in text
    assert "\u200b" not in text and "\u2028" not in text


def test_transcript_shows_the_forum_post_and_tells_renames_apart(tmp_path: Path) -> None:
    description = "Un corpus " + "muy " * 100 + "grande"
    body = (
        '[[steps]]\nas = "ana"\nrun = "team create"\n'
        f'options = {{ name = "Los Tigres", description = "{description}", '
        "open = true }\n"
        '[[steps]]\nas = "ana"\nrun = "team rename"\noptions = { name = "Los Pumas" }\n'
    )
    result = rehearse(tmp_path, body)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The option typed by ana and the post's first message are cut, with the length.
    assert f'description="{description[:300]}… ({len(description)} characters)"' in out
    assert "• opens a post in #encuentra-equipo: Los Tigres [buscamos gente]" in out
    assert "↳ first message: **Los Tigres** busca gente." in out
    assert "Un corpus muy muy" in out
    # Hints are command mentions (`</team invite:id>`), read as the command's name.
    assert "invita con /team invite." in out
    assert "</" not in out
    renames = [line.strip() for line in out.splitlines() if "renames" in line]
    assert renames == [
        "• renames the thread in #equipos: Los Tigres → Los Pumas",
        "• renames the forum post in #encuentra-equipo: Los Tigres → Los Pumas",
    ]


def test_json_lines_keep_the_contract(tmp_path: Path) -> None:
    body = (
        '[[steps]]\nas = "ana"\nrun = "team create"\n'
        'options = { name = "Los Tigres", description = "' + "z" * 450 + '" }\n'
        '[[steps]]\nas = "ana"\nrun = "team rename"\noptions = { name = "Los Pumas" }\n'
    )
    result = rehearse(tmp_path, body, "--json")
    assert result.returncode == 0, result.stderr
    first, second, state = json_lines(result)
    assert set(first) == {"step", "action", "replies", "ack_ms", "effects", "errors"}
    assert first["action"]["options"]["description"] == "z" * 450  # whole, never cut
    [post] = [e for e in first["effects"] if e["type"] == "forum_post_created"]
    assert post == {
        "type": "forum_post_created",
        "channel": "encuentra-equipo",
        "title": "Los Tigres",
        "tags": ["buscamos gente"],
    }
    renames = [e for e in second["effects"] if e["type"] == "thread_renamed"]
    assert renames == [{"type": "thread_renamed", "old": "Los Tigres", "name": "Los Pumas"}] * 2
    assert set(state) == {"state"}


# -- admin status in a rehearsal -------------------------------------------------------------------


def test_admin_status_says_the_heartbeat_does_not_run_in_rehearsals(tmp_path: Path) -> None:
    body = '[[steps]]\nadvance = "13d"\n\n[[steps]]\nas = "olga"\nrun = "admin status"\n'
    result = rehearse(tmp_path, body, "--json")
    assert result.returncode == 0, result.stderr
    embed = json_lines(result)[1]["replies"][0]["embeds"][0]
    jobs = {f["name"]: f["value"] for f in embed["fields"]}["Scheduled jobs"]
    assert "`heartbeat`: does not run in rehearsals" in jobs
    assert "`heartbeat`: has not run yet" not in jobs


# -- --db ------------------------------------------------------------------------------------------


def test_a_database_used_before_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "kept.db"
    url = f"sqlite+aiosqlite:///{path}"
    first = rehearse(tmp_path, CREATE, "--json", "--db", url)
    assert first.returncode == 0, first.stderr
    assert json_lines(first)[-1]["state"]["teams"][0]["name"] == "Los Tigres"

    again = rehearse(tmp_path, CREATE, "--json", "--db", url)
    assert again.returncode == 2
    assert again.stdout == ""
    [line] = again.stderr.strip().splitlines()
    assert line.startswith(f"hackbot rehearse: --db {url} already holds hackbot data (")
    assert "teams: 1" in line and "a rehearsal starts from an empty database" in line
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT name FROM teams").fetchall() == [("Los Tigres",)]


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    result = rehearse(tmp_path, CREATE, "--db", "postgresql+asyncpg://u:pw@127.0.0.1:1/db")
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("hackbot rehearse: --db: cannot connect to PostgreSQL at 127.0.0.1:1")
    assert "the --db URL" in line and "pw" not in line


# -- hackbot demo --------------------------------------------------------------------------------


def test_demo_runs_from_any_directory(tmp_path: Path) -> None:
    result = hackbot("demo", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "completo" in result.stdout
    assert list(tmp_path.iterdir()) == []


# -- docs/rehearsals.md is the whole format --------------------------------------------------------

PAGE = ROOT / "docs" / "rehearsals.md"


def documented_scenario() -> str:
    blocks = re.findall(r"```toml\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/rehearsals.md has no TOML example"
    return str(blocks[0])


def test_the_documented_example_is_a_valid_scenario(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_bytes(CONFIG.read_bytes())
    path = tmp_path / "example.toml"
    path.write_text(documented_scenario(), encoding="utf-8")
    scenario = load_scenario(path, CONFIG)
    assert scenario.clock == datetime(2024, 3, 20, 10, tzinfo=UTC)
    assert scenario.registrations[0]["email"] == "ana@example.org"
    LocalHub(now=lambda: scenario.clock).load(scenario.hub)  # every repo field is one it takes


def test_the_documented_example_uses_every_key() -> None:
    example = documented_scenario()
    keys = set(TOP_KEYS) | MEMBER_KEYS | set(HUB_REPO_KEYS) | REGISTRATION_KEYS | EVENT_KEYS
    keys |= {key for step_keys in STEP_KEYS.values() for key in step_keys}
    keys |= {"models", "datasets", "spaces", "faults", "events", "upsert", "cancel", "set"}
    unused = sorted(
        k for k in keys if not re.search(rf'(^|[\s{{."\[]){k}("?\s*=|[.\]])', example, re.M)
    )
    assert unused == [], f"docs/rehearsals.md's example never shows {unused}"
    assert "shared page" not in PAGE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"role": "participant"}, "registrations[1].email: an email address is required"),
        ({"email": "a@b.c", "role": "organizer"}, "registrations[1].role: one of"),
        ({"email": "a@b.c", "phone": "1"}, "registrations[1]: unknown key 'phone'"),
    ],
)
def test_registrations_are_checked(tmp_path: Path, row: dict[str, str], message: str) -> None:
    fields = ", ".join(f'{k} = "{v}"' for k, v in row.items())
    path = tmp_path / "s.toml"
    path.write_text(f'config = "{CONFIG}"\nregistrations = [{{ {fields} }}]\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(path, CONFIG)
