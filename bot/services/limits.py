"""What every feature's per-member limits share: the refusal and its audit record.

A :class:`LimitReached` is a :class:`bot.errors.Conflict` whose catalog key tells the member what
happened and when they may try again (``when``, a datetime the Discord side shows as a relative
timestamp), and whose ``limit`` names the limit for the audit log. The refused command changes
nothing, so the caller records the hit in a transaction of its own (:func:`record_hit`). Each
feature keeps its own rules (teams: :mod:`bot.services.teams.limits`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict
from bot.services import audit

LIMIT_ACTION_PREFIX = "limit."


class LimitReached(Conflict):
    """A per-member limit refused the command; ``limit`` names it, ``subject`` is the team."""

    def __init__(self, limit: str, key: str, *, subject: str | None = None, **params: Any) -> None:
        super().__init__(key, **params)
        self.limit = limit
        self.subject = subject


async def record_hit(
    session: AsyncSession, *, actor_id: int, limit: str, subject: str | None, now: datetime
) -> None:
    """Put "``actor_id`` hit ``limit``" on the audit log (the caller's own transaction)."""
    await audit.record(
        session, actor_id=actor_id, action=LIMIT_ACTION_PREFIX + limit, subject=subject, now=now
    )
