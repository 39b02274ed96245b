"""At the event's team deadline, team changes lock by themselves (the rule lives in the teams
service); this job tells everyone, once, in the announcements channel."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.models import KeyValue
from bot.settings import Settings
from bot.team_discord import TeamDiscord
from bot.timefmt import discord_ts
from jobs.base import Job

if TYPE_CHECKING:
    from bot.app import HackBot

JOB_ID = "team_deadline"
ANNOUNCED_KEY = "teams.deadline_announced"


async def _announced(bot: HackBot) -> bool:
    async with bot.db.read() as session:
        return await session.get(KeyValue, ANNOUNCED_KEY) is not None


async def announce(bot: HackBot) -> str | None:
    deadline = bot.settings.config.event.team_deadline
    if bot.clock.now() < deadline or await _announced(bot):
        return None
    async with bot.db.transaction() as session:
        if await session.get(KeyValue, ANNOUNCED_KEY) is not None:
            return None
        session.add(KeyValue(key=ANNOUNCED_KEY, value=bot.clock.now().isoformat()))
    channel = bot.channel("announcements")
    if isinstance(channel, discord.abc.Messageable):
        await channel.send(
            TeamDiscord(bot).public("team_ui.deadline.locked", when=discord_ts(deadline, "f"))
        )
    return "core.jobs.teams_locked"


async def next_due(bot: HackBot) -> datetime | None:
    return None if await _announced(bot) else bot.settings.config.event.team_deadline


def make_job(settings: Settings) -> Job:
    return Job(id=JOB_ID, every=settings.config.scheduler.tick, run=announce, next_due=next_due)
