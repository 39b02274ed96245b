"""The event loop the bot runs on: uvloop's where it is installed (Linux and macOS, a dependency
of hackbot there), asyncio's own otherwise. uvloop does the same work with less CPU per socket
read, write and callback; in the 1,000-command burst of `make bench` the bot spent about 13%
less CPU per command on it (docs/benchmarks.md). The test suite runs on the same loop
(tests/conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def policy() -> asyncio.AbstractEventLoopPolicy:
    """uvloop's event loop policy, or asyncio's default one where uvloop is not installed."""
    try:
        import uvloop
    except ImportError:  # Windows: asyncio's loop
        return asyncio.DefaultEventLoopPolicy()
    found: asyncio.AbstractEventLoopPolicy = uvloop.EventLoopPolicy()
    return found


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on the bot's event loop."""
    with asyncio.Runner(loop_factory=policy().new_event_loop) as runner:
        return runner.run(main)
