"""Expire invitations and join requests that were not answered in time, and close their
messages so nobody clicks a dead button."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.services import teams
from bot.settings import Settings
from bot.team_discord import TeamDiscord
from jobs.base import Job

if TYPE_CHECKING:
    from bot.app import HackBot

JOB_ID = "team_expiry"


async def expire(bot: HackBot) -> str | None:
    async with bot.db.transaction() as session:
        expired = await teams.expire_due(session, now=bot.clock.now())
    team_discord = TeamDiscord(bot)
    for item in expired:
        await team_discord.close_item(item, "expired")
    return f"core.jobs.expired|{len(expired)}" if expired else None


async def next_due(bot: HackBot) -> datetime | None:
    async with bot.db.read() as session:
        return await teams.next_expiry(session)


async def waiting(bot: HackBot) -> int:
    async with bot.db.read() as session:
        return await teams.count_pending(session)


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID,
        every=settings.config.scheduler.tick,
        run=expire,
        next_due=next_due,
        backlog=waiting,
    )
