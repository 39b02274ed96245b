"""The talks section of the rehearsal's state line: each talk as the calendar names it, whether
a Discord scheduled event shows it, and which reminders went out for its current start."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Talk, TalkReminder
from bot.models.talks import REMINDER_SENT
from bot.services.talks import reminder_kind

if TYPE_CHECKING:
    from sandbox.harness import Sandbox

SECTIONS = ("talks",)


async def sections(session: AsyncSession, sandbox: Sandbox) -> dict[str, Any]:
    assert sandbox.settings is not None
    order = [reminder_kind(offset) for offset in sandbox.settings.config.talks.reminders]
    talks = list(await session.scalars(select(Talk).order_by(Talk.start_at, Talk.id)))
    sent: dict[tuple[int, Any], set[str]] = defaultdict(set)
    rows = await session.execute(
        select(TalkReminder.talk_id, TalkReminder.for_start, TalkReminder.kind).where(
            TalkReminder.status == REMINDER_SENT
        )
    )
    for talk_id, for_start, kind in rows:
        sent[(talk_id, for_start)].add(kind)
    return {
        "talks": [
            {
                "id": talk.calendar_event_id,
                "title": talk.title,
                "start": talk.start_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "cancelled": talk.cancelled,
                "discord_event": talk.discord_event_id is not None,
                "reminders_sent": [
                    kind for kind in order if kind in sent[(talk.id, talk.start_at)]
                ],
            }
            for talk in talks
        ]
    }


def readable(state: dict[str, Any]) -> list[str]:
    lines = []
    for talk in state.get("talks", []):
        flags = " (cancelled)" if talk["cancelled"] else ""
        event = ", Discord event" if talk["discord_event"] else ""
        sent = ", ".join(talk["reminders_sent"]) or "none"
        lines.append(f"talk {talk['title']}{flags}: {talk['start']}{event}; reminders sent: {sent}")
    return lines
