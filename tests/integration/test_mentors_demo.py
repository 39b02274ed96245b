"""`hackbot demo` shows a booking and a claimed help request, and the rehearsal's state line
lists them as the transcript contract says."""

from __future__ import annotations

import contextlib
import io
import json

from bot.cli import main as cli_main
from tests.conftest import ROOT


def test_the_demo_books_a_mentor_and_claims_a_help_request() -> None:
    out = io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out):
        code = cli_main(["demo", "--json"])
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    assert code == 0, [line for line in lines if line.get("errors")]
    state = lines[-1]["state"]
    assert state["mentor_slots"] == [
        {
            "mentor": "mateo",
            "start": "2024-04-03T16:00:00Z",
            "end": "2024-04-03T16:45:00Z",
            "team": "Los Tigres",
        }
    ]
    assert state["mentor_requests"] == [
        {"team": "Los Tigres", "topic": "evaluation", "status": "claimed", "mentor": "mateo"}
    ]
    # The mentoring block ends by moving time to the session: two reminders, each to the
    # team's thread, the mentor and the member who booked.
    reminders = [
        effect
        for line in lines
        if line.get("action", {}).get("advance") == "1d6h"
        for effect in line["effects"]
        if effect["type"] == "message" and "⏰" in effect["content"]
    ]
    assert sorted(effect["channel"] for effect in reminders) == sorted(
        ["thread:Los Tigres", "dm:mateo", "dm:ana"] * 2
    )
