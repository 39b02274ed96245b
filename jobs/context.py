"""What a job gets: the database, the clock, the settings and a notifier. Never the bot.

Jobs are entry points like cogs, but they run with nobody to answer: whatever they make Discord
show goes through :class:`Notifier`, which the bot implements on Discord
(``bot.discord.notifier``) and a test can implement to observe.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.clients.calendar import CalendarPage
from bot.clients.hub import HubClient
from bot.clock import Clock
from bot.db import Database
from bot.i18n import Message
from bot.settings import Settings


class Notifier(Protocol):
    """Posts to configured channels, team threads and DMs, each in the right language.

    Every method returns False when Discord refused or the place is gone (logged, never raised):
    a job records what it delivered, it does not fail half-way because one place is closed.
    """

    async def post(self, channel_key: str, message: Message, /) -> bool:
        """Post to the ``[channels]`` entry ``channel_key``, in the event's language."""
        ...

    async def to_thread(self, thread_id: int, message: Message, /) -> bool:
        """Post to a thread (a team's), in the event's language."""
        ...

    async def dm(self, user_id: int, message: Message, /, channel_id: int | None = None) -> bool:
        """A direct message, in the member's language (the event's when unknown); through
        ``channel_id`` when the member's DM channel is known (no DM opening to pay for)."""
        ...

    async def edit(
        self, channel_id: int, message_id: int, message: Message, /, reader_id: int | None = None
    ) -> bool:
        """Replace a message the bot posted (its buttons and embeds removed), in the language
        of ``reader_id`` (who the message is for), the event's when not given or unknown."""
        ...

    # -- announcements: organizer-written text, pings limited to the chosen audience --------
    async def role_members(self, role_key: str, /) -> list[int] | None:
        """The ids of the members holding the ``[roles]`` entry ``role_key`` (bots left out);
        None when the role is not configured or not visible."""
        ...

    async def publish(
        self,
        channel_id: int,
        content: str,
        /,
        *,
        roles: Sequence[int] = (),
        everyone: bool = False,
    ) -> int | None:
        """Post ``content`` as is to a channel; it may ping ``roles`` (and @everyone when
        ``everyone``), nobody else whatever it contains. The message id, None if refused."""
        ...

    async def dm_text(self, user_id: int, content: str, /) -> str:
        """A direct message of ``content`` as is: ``"sent"``, ``"closed"`` when the member
        does not accept DMs (Discord error 50007), otherwise a short reason it failed."""
        ...

    async def ping(self, channel_key: str, role_key: str, message: Message, /) -> bool:
        """Post to the ``[channels]`` entry ``channel_key``, mentioning the ``[roles]`` entry
        ``role_key`` and nobody else (posted without the mention when that role is not
        configured or not found)."""
        ...


@dataclass(frozen=True)
class EventSpec:
    """What a Discord scheduled event shows (an external event: a place, a start, an end)."""

    name: str
    description: str
    location: str
    start: datetime
    end: datetime


class ScheduledEvents(Protocol):
    """The event server's Discord scheduled events (the bot's own)."""

    async def existing(self) -> dict[int, tuple[str, datetime]] | None:
        """The server's scheduled events as id -> (name, start); None when Discord refused."""
        ...

    async def create(self, spec: EventSpec, /) -> int | None:
        """Create one; its id, or None when Discord refused (the limit of 100 included)."""
        ...

    async def edit(self, event_id: int, spec: EventSpec, /) -> bool | None:
        """Change one: True, False when Discord refused, None when the event is gone."""
        ...

    async def delete(self, event_id: int, /) -> bool:
        """Delete one (already gone counts as deleted); False when Discord refused."""
        ...


class CalendarSource(Protocol):
    """The talks calendar (``bot.clients.calendar.CalendarClient``)."""

    async def list_changes(self, sync_token: str | None) -> CalendarPage: ...


def _no_latency() -> float:
    return math.nan


@dataclass(frozen=True)
class JobContext:
    db: Database
    clock: Clock
    settings: Settings
    notifier: Notifier
    # The gateway's heartbeat latency in seconds (NaN while not connected).
    latency: Callable[[], float] = field(default=_no_latency)
    # The bot's Hugging Face Hub adapter (one cache and request budget for cogs and jobs).
    hub: HubClient | None = None
    # The talks calendar and the server's scheduled events (None where they are not wired).
    calendar: CalendarSource | None = None
    scheduled_events: ScheduledEvents | None = None
