"""What a scheduled job is. Jobs are entry points like cogs: short, periodic, and they deliver
what the database says is due, so nothing is lost when the process restarts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from jobs.context import JobContext


@dataclass(frozen=True)
class Job:
    """A periodic job.

    ``run`` delivers whatever is due at ``ctx.clock.now()`` and returns a short detail for
    `admin status`: a catalog key, optionally with a count as ``"key|3"``. ``next_due``
    (optional) tells when something will next be due, so the sandbox can jump straight to it;
    jobs without it run every ``every``. ``backlog`` counts the work waiting.
    """

    id: str
    every: timedelta
    run: Callable[[JobContext], Awaitable[str | None]]
    next_due: Callable[[JobContext], Awaitable[datetime | None]] | None = None
    backlog: Callable[[JobContext], Awaitable[int]] | None = None
    # False for wall-clock housekeeping (the heartbeat) that a moved sandbox clock must not replay.
    in_sandbox: bool = True
