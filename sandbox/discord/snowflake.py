"""Snowflake ids as Discord makes them: milliseconds since the Discord epoch, shifted by 22 bits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeGenerator:
    """Strictly increasing snowflakes stamped with the server's clock."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._last = 0

    def next(self) -> int:
        ms = int(self._now().timestamp() * 1000) - DISCORD_EPOCH_MS
        candidate = max(ms, 0) << 22
        if candidate <= self._last:
            candidate = self._last + 1
        self._last = candidate
        return candidate


def snowflake_time(snowflake: int) -> datetime:
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso(moment: datetime) -> str:
    """Discord's timestamp format: ISO-8601 with microseconds and an explicit UTC offset."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def iso_z(moment: datetime) -> str:
    """The transcript's time format: ISO-8601 UTC with a trailing Z, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
