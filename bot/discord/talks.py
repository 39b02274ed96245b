"""The event server's Discord scheduled events, as the talks jobs need them.

Talks are external events (a place and an end, no channel). Each call is one request; a
refusal is logged and reported as a value, never raised: the sync records what it did and
tries again at its next run.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord

from jobs.context import EventSpec

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)
UNKNOWN_EVENT = 10070
MAX_EVENTS_REACHED = 30038


class DiscordScheduledEvents:
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot

    async def existing(self) -> dict[int, tuple[str, datetime]] | None:
        guild = self.bot.guild
        if guild is None:
            return None
        try:
            events = await guild.fetch_scheduled_events(with_counts=False)
        except discord.HTTPException as exc:
            log.warning("could not list scheduled events: %s %s", exc.status, exc.code)
            return None
        me = self.bot.user.id if self.bot.user is not None else None
        return {e.id: (e.name, e.start_time) for e in events if e.creator_id in (None, me)}

    async def create(self, spec: EventSpec, /) -> int | None:
        guild = self.bot.guild
        if guild is None:
            return None
        try:
            event = await guild.create_scheduled_event(
                name=spec.name,
                description=spec.description,
                start_time=spec.start,
                end_time=spec.end,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=spec.location,
            )
        except discord.HTTPException as exc:
            log.warning(
                "could not create scheduled event %r: %s %s", spec.name, exc.status, exc.code
            )
            return None
        return event.id

    async def edit(self, event_id: int, spec: EventSpec, /) -> bool | None:
        guild = self.bot.guild
        if guild is None:
            return False
        try:
            await self.bot.http.edit_scheduled_event(guild.id, event_id, **_payload(spec))
        except discord.NotFound:
            return None
        except discord.HTTPException as exc:
            log.warning("could not edit scheduled event %s: %s %s", event_id, exc.status, exc.code)
            return False
        return True

    async def delete(self, event_id: int, /) -> bool:
        guild = self.bot.guild
        if guild is None:
            return False
        try:
            await self.bot.http.delete_scheduled_event(guild.id, event_id)
        except discord.NotFound:
            return True
        except discord.HTTPException as exc:
            log.warning(
                "could not delete scheduled event %s: %s %s", event_id, exc.status, exc.code
            )
            return False
        return True


def _payload(spec: EventSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "scheduled_start_time": spec.start.isoformat(),
        "scheduled_end_time": spec.end.isoformat(),
        "entity_type": discord.EntityType.external.value,
        "entity_metadata": {"location": spec.location},
    }
