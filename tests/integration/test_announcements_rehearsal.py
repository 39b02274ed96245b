"""Announcements in a rehearsal, as organizers write one: the state line's `announcements`
section follows the contract (status, DMs delivered, DMs not delivered), and `/admin status`
shows the feature's field."""

from __future__ import annotations

from pathlib import Path

from sandbox.harness import Sandbox
from tests.integration.announcements_support import compose, confirm_label
from tests.integration.replies import expected
from tests.integration.teams_support import ok
from tests.integration.test_admin import status_fields
from tests.sandbox.test_rehearse import lines, rehearse

SCENARIO = """
[members.olga]
roles = ["organizer"]

[members.carla]
roles = ["participant"]
dms = false

[[steps]]
as = "olga"
run = "announce send"
options = { post = false, dm = "participants", when = "2024-03-20 12:00", timezone = "UTC" }

[[steps]]
as = "olga"
submit = { title = "Recordatorio", body = "@everyone mañana hay charla" }

[[steps]]
as = "olga"
click = "Confirmar"

[[steps]]
as = "olga"
run = "announce send"
options = { ping = "participants", when = "2024-03-21 12:00" }

[[steps]]
as = "olga"
submit = ["Otro", "Se cancelará"]

[[steps]]
as = "olga"
click = "Confirmar"

[[steps]]
as = "olga"
run = "announce cancel"
options = { id = 2 }

[[steps]]
restart = true

[[steps]]
advance = "2d"
"""


def test_the_state_line_lists_announcements_as_the_contract_says(tmp_path: Path) -> None:
    result = rehearse(tmp_path, SCENARIO, "--json")

    assert result.returncode == 0, result.stdout + result.stderr
    out = lines(result)
    assert all(line.get("errors", []) == [] for line in out[:-1]), out
    assert out[-1]["state"]["announcements"] == [  # type: ignore[index]
        {"status": "sent", "delivered": 2, "failed": 1},  # ana and bea; carla's DMs are closed
        {"status": "cancelled", "delivered": 0, "failed": 0},
    ]


async def test_admin_status_shows_announcements(sandbox: Sandbox) -> None:
    await compose(sandbox, "olga", {"dm": "participants"})
    ok(await sandbox.click("olga", label=confirm_label()))
    outcome = ok(await sandbox.run("olga", "admin status"))

    fields = status_fields(outcome.replies[-1]["embeds"][0])
    assert fields[expected("announcements.status_section.title")] == [
        expected("announcements.status_section.sent", count=1)
    ]
