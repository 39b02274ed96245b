"""Per-member limits on the Discord side: one command at a time per member and feature (a cog's
``member_lock`` names its scope), how a limit is answered (its time as a relative Discord
timestamp), and the audit entry organizers read.

The rules themselves live in each feature's services; this module only answers them.
A refused command changes nothing, so who hit which limit is written in a transaction of its
own, at most once per member and limit every :data:`RECORD_EVERY` (a member hammering a limit
cannot turn it into a stream of database writes).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Any

import discord
from discord import app_commands

from bot.discord.errors import report_error, unwrap
from bot.discord.timestamps import discord_ts
from bot.errors import InvalidInput
from bot.services.limits import LimitReached, record_hit

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
RECORD_EVERY = timedelta(minutes=10)


def busy() -> LimitReached:
    """The refusal of a command while the member's previous one still runs."""
    return LimitReached("busy", "core.errors.busy")


class MemberLocks:
    """One command at a time per member and scope, in this process (no await in between a
    check and a take, so no lock object is needed)."""

    def __init__(self) -> None:
        self._holders: dict[tuple[str, int], int] = {}
        self._tokens = itertools.count(1)

    def acquire(self, scope: str, user_id: int) -> int | None:
        """A token to release with, or None when the member already runs one."""
        if (scope, user_id) in self._holders:
            return None
        token = next(self._tokens)
        self._holders[scope, user_id] = token
        return token

    def release(self, scope: str, user_id: int, token: int) -> None:
        if self._holders.get((scope, user_id)) == token:
            del self._holders[scope, user_id]


class Throttle:
    """Lets an event through at most once per key per ``every`` (memory bounded)."""

    def __init__(self, every: timedelta = RECORD_EVERY, max_keys: int = 10_000) -> None:
        self.every = every
        self.max_keys = max_keys
        self._last: dict[Hashable, datetime] = {}

    def allow(self, key: Hashable, now: datetime) -> bool:
        last = self._last.get(key)
        if last is not None and now - last < self.every:
            return False
        if len(self._last) >= self.max_keys:
            self._last.clear()
        self._last[key] = now
        return True


def shown(error: LimitReached) -> LimitReached:
    """``error`` with its times as relative Discord timestamps ("in 5 minutes")."""
    params = {
        name: discord_ts(value, "R") if isinstance(value, datetime) else value
        for name, value in error.params.items()
    }
    return LimitReached(error.limit, error.key, subject=error.subject, **params)


async def note_limit(interaction: Interaction, error: LimitReached) -> None:
    """Put on the audit log that the member hit ``error.limit`` (throttled)."""
    bot: Any = interaction.client
    db, clock = getattr(bot, "db", None), getattr(bot, "clock", None)
    throttle = getattr(bot, "limit_log", None)
    if db is None or clock is None or not isinstance(throttle, Throttle):
        return
    now = clock.now()
    actor = interaction.user.id
    if not throttle.allow((actor, error.limit), now):
        return
    try:
        await db.write(
            lambda session: record_hit(
                session, actor_id=actor, limit=error.limit, subject=error.subject, now=now
            )
        )
    except Exception:
        log.exception("could not record that member %s hit the limit %s", actor, error.limit)


async def answer_error(interaction: Interaction, error: BaseException) -> None:
    """Answer ``error`` through the error registry; a limit is also put on the audit log."""
    inner = unwrap(error)
    if isinstance(inner, app_commands.TransformerError):
        # A forged option value discord.py could not turn into what the command takes.
        await report_error(interaction, InvalidInput("core.errors.invalid_values"))
        return
    if isinstance(inner, LimitReached):
        await report_error(interaction, shown(inner))
        await note_limit(interaction, inner)
        return
    await report_error(interaction, error)
