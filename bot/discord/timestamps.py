"""Times shown to members are Discord timestamps: each reader sees their own time zone."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.text import Safe

Style = Literal["t", "T", "d", "D", "f", "F", "R"]


def discord_ts(when: datetime, style: Style = "f") -> Safe:
    return Safe(f"<t:{int(when.timestamp())}:{style}>")
