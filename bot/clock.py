"""The one source of "now": injected wherever time matters so the sandbox can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (sandbox, rehearsals, tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = ensure_utc(start) if start is not None else datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = ensure_utc(when)

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta


def ensure_utc(when: datetime) -> datetime:
    """Reject naive datetimes; convert aware ones to UTC."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime is not allowed: {when!r}")
    return when.astimezone(UTC)
