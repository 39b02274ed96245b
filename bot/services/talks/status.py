"""The talks field of `/admin status`: the last calendar sync (when, how it went, failures in
a row) and the programme's size."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Message
from bot.models import Talk, TalkReminder
from bot.models.talks import REMINDER_PENDING, REMINDER_SENT
from bot.services.status import StatusSection
from bot.services.talks.sync_state import read_sync_state
from bot.settings import Config
from bot.text import Safe


def discord_ts(when: datetime, style: str = "R") -> Safe:
    """A Discord timestamp (services do not import ``bot.discord``; same format)."""
    return Safe(f"<t:{int(when.timestamp())}:{style}>")


async def status_section(session: AsyncSession, config: Config) -> StatusSection | None:
    state = await read_sync_state(session)
    lines: list[Message] = []
    if state.last_attempt is None:
        lines.append(Message("talks.status.never_synced"))
    elif state.outcome == "ok":
        lines.append(
            Message(
                "talks.status.synced",
                when=discord_ts(state.last_attempt, "R"),
                count=state.changed,
            )
        )
    else:
        lines.append(
            Message(
                "talks.status.failing",
                when=discord_ts(state.last_attempt, "R"),
                count=state.failures,
                error=Message(f"talks.calendar_error.{state.outcome}"),
                last_ok=(
                    discord_ts(state.last_success, "R")
                    if state.last_success is not None
                    else Message("talks.status.never")
                ),
            )
        )
    talks = await session.scalar(
        select(func.count()).select_from(Talk).where(Talk.cancelled.is_(False))
    )
    mirrored = await session.scalar(
        select(func.count()).select_from(Talk).where(Talk.discord_event_id.is_not(None))
    )
    pending = await session.scalar(
        select(func.count())
        .select_from(TalkReminder)
        .where(TalkReminder.status == REMINDER_PENDING)
    )
    sent = await session.scalar(
        select(func.count()).select_from(TalkReminder).where(TalkReminder.status == REMINDER_SENT)
    )
    lines.append(
        Message(
            "talks.status.programme",
            talks=int(talks or 0),
            mirrored=int(mirrored or 0),
            pending=int(pending or 0),
            sent=int(sent or 0),
        )
    )
    return StatusSection(title=Message("talks.status.title"), lines=lines)
