"""The mentoring part of the rehearsal's state line, by ids (the sandbox turns them into
handles)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import MentorRequest, MentorSlot, Team


async def state_snapshot(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    slots = await session.execute(
        select(MentorSlot, Team.name)
        .outerjoin(Team, Team.id == MentorSlot.team_id)
        .where(MentorSlot.removed_at.is_(None))
        .order_by(MentorSlot.starts_at, MentorSlot.id)
    )
    requests = await session.execute(
        select(MentorRequest, Team.name)
        .join(Team, Team.id == MentorRequest.team_id)
        .order_by(MentorRequest.id)
    )
    return {
        "mentor_slots": [
            {
                "mentor_id": slot.mentor_id,
                "start": slot.starts_at,
                "end": slot.ends_at,
                "team": name,
            }
            for slot, name in slots
        ],
        "mentor_requests": [
            {
                "team": name,
                "topic": request.topic,
                "status": request.status,
                "mentor_id": request.mentor_id,
            }
            for request, name in requests
        ],
    }
