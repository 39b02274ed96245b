"""Durations written as "90s", "10m", "25h", "2d" or combined ("1d2h30m")."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"^(?:\d+[smhdw])+$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """Parse a compact duration; raise ValueError naming the accepted form."""
    compact = text.strip().lower().replace(" ", "")
    if not compact or not _WHOLE.match(compact):
        raise ValueError(f"not a duration: {text!r} (use forms like 90s, 10m, 25h, 2d, 1d2h30m)")
    seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(compact))
    try:
        return timedelta(seconds=seconds)
    except OverflowError:  # "9999999999999999999d": beyond what a timedelta holds
        raise ValueError(f"not a duration: {text!r} (too long)") from None
