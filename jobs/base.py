"""What a scheduled job is. Jobs are entry points like cogs: short, periodic, and they deliver
what the database says is due, so nothing is lost when the process restarts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import HackBot


@dataclass(frozen=True)
class Job:
    """A periodic job.

    ``run`` delivers whatever is due at ``bot.clock.now()`` and returns a short detail for
    `admin status`: a catalog key, optionally with a count as ``"key|3"``. ``next_due``
    (optional) tells when something will next be due, so the sandbox can jump straight to it;
    jobs without it run every ``every``. ``backlog`` counts the work waiting.
    """

    id: str
    every: timedelta
    run: Callable[[HackBot], Awaitable[str | None]]
    next_due: Callable[[HackBot], Awaitable[datetime | None]] | None = None
    backlog: Callable[[HackBot], Awaitable[int]] | None = None
    # False for wall-clock housekeeping (the heartbeat) that a moved sandbox clock must not replay.
    in_sandbox: bool = True
