"""A heartbeat: proves the bot's loop and database are alive (read by `hackbot health`)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.settings import Settings
from jobs.base import Job

if TYPE_CHECKING:
    from bot.app import HackBot

JOB_ID = "heartbeat"
EVERY = timedelta(seconds=30)


async def beat(bot: HackBot) -> str | None:
    latency = bot.latency
    return (
        None if math.isnan(latency) else f"core.jobs.latency|{latency * 1000:.0f}"
    )  # NaN before login


def make_job(settings: Settings) -> Job:
    return Job(id=JOB_ID, every=EVERY, run=beat, in_sandbox=False)
