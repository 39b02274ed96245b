"""What the calendar sync last did, kept in the database (``key_values``): the sync token, the
last attempt and its outcome, the failures in a row and whether the organizers were told.

The sync job is due ``sync_every`` after its last attempt; after failures it waits
``sync_every``, then twice as long each time, up to ``retry_max``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import KeyValue

STATE_KEY = "talks.sync"


@dataclass(frozen=True)
class SyncState:
    sync_token: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    # "ok" or the Calendar error kind of the last attempt ("unavailable", "rate_limited"...).
    outcome: str | None = None
    failures: int = 0
    alerted: bool = False
    changed: int = 0

    def next_due(self, every: timedelta, retry_max: timedelta) -> datetime | None:
        """When the next sync is due; None: now (never synced)."""
        if self.last_attempt is None:
            return None
        if self.failures == 0:
            return self.last_attempt + every
        wait: timedelta = min(every * 2 ** (self.failures - 1), max(retry_max, every))
        due: datetime = self.last_attempt + wait
        return due


def _encode(state: SyncState) -> str:
    data: dict[str, Any] = asdict(state)
    for key in ("last_attempt", "last_success"):
        data[key] = data[key].isoformat() if data[key] is not None else None
    return json.dumps(data, sort_keys=True)


def _decode(text: str) -> SyncState:
    data = json.loads(text)
    for key in ("last_attempt", "last_success"):
        data[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
    return SyncState(**{k: v for k, v in data.items() if k in SyncState.__dataclass_fields__})


async def read_sync_state(session: AsyncSession) -> SyncState:
    row = await session.get(KeyValue, STATE_KEY)
    return _decode(row.value) if row is not None else SyncState()


async def _store(session: AsyncSession, state: SyncState) -> None:
    await session.merge(KeyValue(key=STATE_KEY, value=_encode(state)))


async def record_success(
    session: AsyncSession, token: str | None, now: datetime, changed: int
) -> SyncState:
    """Store the new token and a good outcome; returns the state before (was it alerted?)."""
    before = await read_sync_state(session)
    await _store(
        session,
        SyncState(
            sync_token=token,
            last_attempt=now,
            last_success=now,
            outcome="ok",
            failures=0,
            alerted=False,
            changed=changed,
        ),
    )
    return before


async def record_failure(
    session: AsyncSession, kind: str, now: datetime, alert_after: int
) -> tuple[SyncState, bool]:
    """Count a failure (the token is kept); True when the organizers must be told now."""
    before = await read_sync_state(session)
    failures = before.failures + 1
    alert = failures >= alert_after and not before.alerted
    after = replace(
        before,
        last_attempt=now,
        outcome=kind,
        failures=failures,
        alerted=before.alerted or alert,
        changed=0,
    )
    await _store(session, after)
    return after, alert
