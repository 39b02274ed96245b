"""Back-off between restarts: Discord resets a token after 1,000 logins in 24 hours, so a bot
that crash-loops must slow down instead of logging in again at once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import KeyValue

LOGINS_KEY = "logins"
QUICK_RESTART = timedelta(
    minutes=10
)  # a start this soon after the previous one counts as a crash loop
FIRST_DELAY = 5.0
MAX_DELAY = 300.0


def backoff_seconds(streak: int) -> float:
    """0 for a normal start; 5 s, 10 s, 20 s ... capped at 5 minutes for repeated quick restarts."""
    return 0.0 if streak <= 0 else min(MAX_DELAY, FIRST_DELAY * 2 ** (streak - 1))


async def record_start(session: AsyncSession, now: datetime) -> float:
    """Record a start and return how long to wait before logging in."""
    row = await session.get(KeyValue, LOGINS_KEY)
    streak = 0
    if row is not None:
        previous = json.loads(row.value)
        if now - datetime.fromisoformat(previous["at"]) < QUICK_RESTART:
            streak = int(previous["streak"]) + 1
    value = json.dumps({"at": now.isoformat(), "streak": streak})
    if row is None:
        session.add(KeyValue(key=LOGINS_KEY, value=value))
    else:
        row.value = value
    return backoff_seconds(streak)
