"""Reading what mentors type: a local date and time in a named zone, a duration, a zone name.

Every refusal names what was wrong (``25:00`` is not a time; ``2024-02-30`` is not a date), and
local times that do not exist or happen twice on a daylight-saving change are handled here.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.durations import parse_duration
from bot.errors import InvalidInput

_LOCAL = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(\d{1,2}):(\d{2})\s*$")
EXAMPLE = "2024-03-12 18:00"


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; refused with a precise message when unknown."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 64 or cleaned.startswith(("/", ".")) or ".." in cleaned:
        raise InvalidInput("mentors.errors.unknown_timezone", zone=name[:64])
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("mentors.errors.unknown_timezone", zone=name[:64]) from None


@functools.cache
def _all_zones() -> tuple[str, ...]:
    """Every IANA region name, read once (listing them walks the tz database's files)."""
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def zone_names(prefix: str, limit: int = 25) -> list[str]:
    """IANA names for autocomplete: those starting with ``prefix``, then those containing it."""
    wanted = prefix.strip().casefold().replace(" ", "_")
    names = _all_zones()
    first = [n for n in names if n.casefold().startswith(wanted)]
    rest = [n for n in names if wanted in n.casefold() and n not in first]
    return (first + rest)[:limit]


def local_to_utc(wall: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time in ``tz`` as UTC. A time skipped by a daylight-saving change is
    refused; one that happens twice is read as the first (summer time)."""
    aware = wall.replace(tzinfo=tz, fold=0)
    back = aware.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != wall:
        raise InvalidInput(
            "mentors.errors.nonexistent_time",
            time=wall.strftime("%Y-%m-%d %H:%M"),
            zone=str(tz.key),
        )
    return aware.astimezone(UTC)


def parse_local(text: str, tz: ZoneInfo) -> datetime:
    """``2024-03-12 18:00`` read in ``tz``, as an aware UTC datetime."""
    match = _LOCAL.match(text)
    if match is None:
        raise InvalidInput("mentors.errors.bad_start", text=text[:40], example=EXAMPLE)
    year, month, day, hour, minute = (int(part) for part in match.groups())
    if hour > 23 or minute > 59:
        raise InvalidInput(
            "mentors.errors.bad_clock", clock=f"{match[4]}:{match[5]}", example=EXAMPLE
        )
    try:
        day_ = date(year, month, day)
    except ValueError:
        raise InvalidInput(
            "mentors.errors.bad_date", day=f"{match[1]}-{match[2]}-{match[3]}"
        ) from None
    try:
        return local_to_utc(datetime.combine(day_, time(hour, minute)), tz)
    except OverflowError:  # 0001-01-01 00:00 east of UTC, 9999-12-31 23:59 west of it
        raise InvalidInput(
            "mentors.errors.bad_date", day=f"{match[1]}-{match[2]}-{match[3]}"
        ) from None


def parse_length(text: str | None, default: timedelta, maximum: timedelta) -> timedelta:
    """A session length: ``45m``, ``1h30m``; longer than zero and at most ``maximum``."""
    if text is None or not text.strip():
        return default
    try:
        length = parse_duration(text)
    except ValueError:
        raise InvalidInput("mentors.errors.bad_duration", text=text[:40]) from None
    if length <= timedelta(0):
        raise InvalidInput("mentors.errors.duration_zero")
    if length > maximum:
        raise InvalidInput(
            "mentors.errors.duration_too_long", count=int(maximum.total_seconds() // 60)
        )
    return length


def weekly(first: datetime, weeks: int, tz: ZoneInfo) -> list[datetime]:
    """``first`` and the same local wall time in each of the next ``weeks`` weeks (18:00 stays
    18:00 across a daylight-saving change), as UTC."""
    wall = first.astimezone(tz).replace(tzinfo=None)
    return [local_to_utc(wall + timedelta(weeks=n), tz) for n in range(weeks + 1)]
