"""What the talks integration tests share: a March of keynotes and the state they check."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.harness import Sandbox
from sandbox.state.talks import sections

# Friday 1 March 2024: the keynotes are every Tuesday of March at 18:00 Madrid (17:00 UTC).
MARCH = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
SERIES = {
    "id": "keynotes",
    "summary": "Keynote",
    "description": "La charla de la semana",
    "start": "2024-03-05T18:00:00",
    "end": "2024-03-05T19:00:00",
    "timeZone": "Europe/Madrid",
    "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20240331T235959Z"],
}
TUESDAYS = ["2024-03-05", "2024-03-12", "2024-03-19", "2024-03-26"]


def instance(day: str) -> str:
    """The calendar id of the keynote of ``day`` (``2024-03-12``)."""
    return f"keynotes_{day.replace('-', '')}T170000Z"


def single(event_id: str, start: str, end: str, summary: str = "Charla") -> dict[str, Any]:
    return {"id": event_id, "summary": summary, "start": start, "end": end}


async def talk_state(sandbox: Sandbox) -> list[dict[str, Any]]:
    """The talks as the rehearsal's state line shows them."""
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list((await sections(session, sandbox))["talks"])


def by_id(state: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {talk["id"]: talk for talk in state}
