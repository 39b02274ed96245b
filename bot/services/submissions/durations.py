"""How late something was, as a catalog message (minutes, hours or days, rounded up)."""

from __future__ import annotations

import math

from bot.i18n import Message


def late_message(seconds: int) -> Message:
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 120:
        return Message("submissions.duration.minutes", count=minutes)
    hours = math.ceil(minutes / 60)
    if hours < 48:
        return Message("submissions.duration.hours", count=hours)
    return Message("submissions.duration.days", count=math.ceil(hours / 24))
