"""What a job gets: the database, the clock, the settings and a notifier. Never the bot.

Jobs are entry points like cogs, but they run with nobody to answer: whatever they make Discord
show goes through :class:`Notifier`, which the bot implements on Discord
(``bot.discord.notifier``) and a test can implement to observe.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

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

    async def dm(self, user_id: int, message: Message, /) -> bool:
        """A direct message, in the member's language (the event's when unknown)."""
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
