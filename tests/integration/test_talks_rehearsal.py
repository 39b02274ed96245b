"""`hackbot rehearse` with a calendar: the scenario's [[calendar.events]] (a weekly series in
Madrid time, an all-day event) and calendar steps, and the state line's `talks` section as the
rehearsal contract specifies it."""

from __future__ import annotations

from pathlib import Path

from tests.sandbox.test_rehearse import lines, rehearse

SCENARIO = """
[members.olga]
roles = ["organizer"]

[[calendar.events]]
id = "keynotes"
summary = "Keynote"
start = "2024-03-05T18:00:00"
end = "2024-03-05T19:00:00"
timeZone = "Europe/Madrid"
recurrence = ["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20240331T235959Z"]

[[calendar.events]]
id = "jornada"
summary = "Jornada de puertas abiertas"
start = "2024-03-22"
end = "2024-03-23"

[[steps]]
as = "ana"
run = "talks subscribe"

[[steps]]
advance = "1m"

[[steps]]
[steps.calendar.upsert]
id = "keynotes_20240326T170000Z"
start = "2024-03-27T17:00:00Z"
end = "2024-03-27T18:00:00Z"

[[steps]]
advance = "6d7h"

[[steps]]
calendar = { upsert = { id = "bad", start = "2024-03-28T17:00:00Z" } }
"""


def test_the_state_line_lists_talks_as_the_contract_says(tmp_path: Path) -> None:
    result = rehearse(tmp_path, SCENARIO, "--json")
    assert result.returncode == 1, result.stderr  # the last step: an event without an end
    out = lines(result)
    *steps, state = out
    assert [e["type"] for e in steps[1]["effects"]] == ["scheduled_event_created"] * 2  # type: ignore[index]
    [error] = steps[4]["errors"]  # type: ignore[index]
    assert error["type"] == "step_failed" and "end" in error["message"]  # type: ignore[index]
    talks = state["state"]["talks"]  # type: ignore[index]
    # Keynotes already over when the rehearsal starts are talks too, never mirrored nor reminded.
    assert talks[:3] == [
        {
            "id": f"keynotes_202403{day}T170000Z",
            "title": "Keynote",
            "start": f"2024-03-{day}T17:00:00Z",
            "cancelled": False,
            "discord_event": False,
            "reminders_sent": [],
        }
        for day in ("05", "12", "19")
    ]
    assert talks[3:] == [
        {
            "id": "jornada",
            "title": "Jornada de puertas abiertas",
            "start": "2024-03-22T00:00:00Z",
            "cancelled": False,
            "discord_event": True,
            "reminders_sent": ["24h", "1h", "10m"],
        },
        {
            "id": "keynotes_20240326T170000Z",
            "title": "Keynote",
            "start": "2024-03-27T17:00:00Z",
            "cancelled": False,
            "discord_event": True,
            "reminders_sent": ["24h"],
        },
    ]
