"""A heartbeat: proves the bot's loop and database are alive (read by `hackbot health` and
shown in `/admin status`)."""

from __future__ import annotations

import math
from datetime import timedelta

from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

JOB_ID = "heartbeat"
EVERY = timedelta(seconds=30)


async def beat(ctx: JobContext) -> str | None:
    latency = ctx.latency()
    # NaN before the gateway connected
    return None if math.isnan(latency) else f"core.jobs.latency|{latency * 1000:.0f}"


def make_job(settings: Settings) -> Job:
    return Job(id=JOB_ID, every=EVERY, run=beat, in_sandbox=False)
