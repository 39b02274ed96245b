"""`hackbot rehearse`: the contract in the shared rehearsal-format page, run as organizers would."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
from pathlib import Path

from bot.cli import main as cli_main
from tests.conftest import CONFIG, ROOT

HEADER = f"""
title = "test"
clock = "2024-03-20T10:00:00Z"
config = "{CONFIG}"

[members.ana]
roles = ["participant"]

[members.bea]
roles = ["participant"]
locale = "en-US"
"""


def rehearse(tmp_path: Path, body: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`hackbot rehearse` through the CLI's ``main()`` (what the console script calls), in this
    process to spare a Python start-up per test; test_demo_runs_and_exits_0 runs the CLI as a
    real subprocess."""
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(HEADER + body, encoding="utf-8")
    argv = ["rehearse", str(scenario), *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli_main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def lines(result: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_unknown_step_key_exits_2_naming_step_and_key(tmp_path: Path) -> None:
    result = rehearse(tmp_path, '[[steps]]\nas = "ana"\nrun = "team list"\nwhen = "now"\n')
    assert result.returncode == 2
    assert "step 1" in result.stderr and "'when'" in result.stderr
    assert result.stdout == ""


def test_unknown_member_and_bad_time_exit_2(tmp_path: Path) -> None:
    result = rehearse(tmp_path, '[[steps]]\nas = "zoe"\nrun = "team list"\n')
    assert result.returncode == 2 and "step 1" in result.stderr and "zoe" in result.stderr
    result = rehearse(tmp_path, '[[steps]]\nadvance = "soon"\n')
    assert result.returncode == 2 and "step 1" in result.stderr and "advance" in result.stderr


def test_valid_scenario_prints_step_lines_and_state(tmp_path: Path) -> None:
    body = """
[[steps]]
as = "ana"
run = "team create"
options = { name = "Los Tigres", open = true }

[[steps]]
as = "bea"
run = "team join"
options = { team = "los tigres" }
"""
    result = rehearse(tmp_path, body, "--json")
    assert result.returncode == 0, result.stderr
    out = lines(result)
    assert [o.get("step") for o in out[:2]] == [1, 2]
    first = out[0]
    assert first["action"] == {
        "as": "ana",
        "run": "team create",
        "options": {"name": "Los Tigres", "open": True},
    }
    assert first["errors"] == []
    assert isinstance(first["ack_ms"], float)
    assert first["replies"][0]["ephemeral"] is True  # type: ignore[index]
    effects = first["effects"]
    assert {
        "type": "thread_created",
        "name": "Los Tigres",
        "parent": "equipos",
        "private": True,
    } in effects  # type: ignore[operator]
    assert any(
        e["type"] == "forum_post_created" and e["tags"] == ["buscamos gente"] for e in effects
    )  # type: ignore[union-attr,index,attr-defined]
    assert (
        "joined" in out[1]["replies"][0]["content"] or "part of" in out[1]["replies"][0]["content"]
    )  # type: ignore[index]
    state = out[-1]["state"]
    assert state["teams"] == [
        {"name": "Los Tigres", "captain": "ana", "members": ["ana", "bea"], "locked": False}
    ]  # type: ignore[index]
    assert state["submissions"] == [] and state["leaderboard_posts"] == 0  # type: ignore[index]


def test_option_discord_would_refuse_is_not_dispatched(tmp_path: Path) -> None:
    body = '[[steps]]\nas = "ana"\nrun = "team create"\noptions = { name = "' + "x" * 101 + '" }\n'
    result = rehearse(tmp_path, body, "--json")
    assert result.returncode == 0, result.stderr
    step = lines(result)[0]
    assert "rejected_by_discord" in step["replies"][0]  # type: ignore[index]
    assert lines(result)[-1]["state"]["teams"] == []  # type: ignore[index]


def test_parallel_replies_are_lists_in_action_order(tmp_path: Path) -> None:
    body = """
[[steps]]
as = "ana"
run = "team create"
options = { name = "Solo", open = true }

[[steps]]
parallel = [
  { as = "bea", run = "team info" },
  { as = "ana", run = "team info" },
]
"""
    result = rehearse(tmp_path, body, "--json")
    assert result.returncode == 0, result.stderr
    step = lines(result)[1]
    assert isinstance(step["replies"], list) and len(step["replies"]) == 2
    assert isinstance(step["ack_ms"], list) and len(step["ack_ms"]) == 2
    assert "team" in step["replies"][0][0]["content"].lower()  # type: ignore[index]  # bea has none (English)
    assert step["replies"][1][0]["embeds"][0]["title"] == "Solo"  # type: ignore[index]


def test_click_on_nothing_is_a_step_error_with_exit_1(tmp_path: Path) -> None:
    result = rehearse(tmp_path, '[[steps]]\nas = "ana"\nclick = "Aceptar"\n', "--json")
    assert result.returncode == 1
    assert lines(result)[0]["errors"][0]["type"] == "step_failed"  # type: ignore[index]


def test_readable_transcript_names_members_and_channels(tmp_path: Path) -> None:
    body = '[[steps]]\nas = "ana"\nrun = "team create"\noptions = { name = "Los Tigres" }\n'
    result = rehearse(tmp_path, body)
    assert result.returncode == 0, result.stderr
    assert "[1] ana runs /team create" in result.stdout
    assert "@ana" in result.stdout and "<@" not in result.stdout
    assert "team Los Tigres: captain ana, members ana" in result.stdout


def test_cancelling_an_unknown_calendar_event_is_a_step_error(tmp_path: Path) -> None:
    body = '[[steps]]\ncalendar = { cancel = "nope" }\n'
    result = rehearse(tmp_path, body, "--json")
    assert result.returncode == 1, result.stderr
    error = lines(result)[0]["errors"][0]  # type: ignore[index]
    assert error["type"] == "step_failed" and "nope" in error["message"]  # type: ignore[index]
