"""The mentoring sections of the rehearsal's state line: ``mentor_slots`` and
``mentor_requests``, members by handle, times as ISO-8601 UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import mentors

if TYPE_CHECKING:
    from sandbox.harness import Sandbox

SECTIONS = ("mentor_slots", "mentor_requests")


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def sections(session: AsyncSession, sandbox: Sandbox) -> dict[str, Any]:
    snapshot = await mentors.state_snapshot(session)
    return {
        "mentor_slots": [
            {
                "mentor": sandbox.handle_of(slot["mentor_id"]),
                "start": iso(slot["start"]),
                "end": iso(slot["end"]),
                "team": slot["team"],
            }
            for slot in snapshot["mentor_slots"]
        ],
        "mentor_requests": [
            {
                "team": request["team"],
                "topic": request["topic"],
                "status": request["status"],
                "mentor": sandbox.handle_of(request["mentor_id"]),
            }
            for request in snapshot["mentor_requests"]
        ],
    }


def readable(state: dict[str, Any]) -> list[str]:
    lines = []
    for slot in state.get("mentor_slots", []):
        booked = f", booked by {slot['team']}" if slot.get("team") else ", free"
        lines.append(f"mentor slot {slot['start']} - {slot['end']}: {slot['mentor']}{booked}")
    for request in state.get("mentor_requests", []):
        mentor = f" by {request['mentor']}" if request.get("mentor") else ""
        lines.append(
            f"help request of {request['team']} on {request['topic']}: {request['status']}{mentor}"
        )
    return lines
