"""The bot's own REST calls, paced under Discord's global rate limit.

Discord lets a bot make at most 50 requests a second in all (interaction callbacks and webhook
followups aside), and answers the 51st with a global 429. discord.py only reacts to that 429:
it waits and sends the request again. In a burst, the bot's own calls (adding joiners to team
threads, posting there, DMs of a reminder) easily pass 50 a second, so some were refused and
sent twice. :class:`GlobalPace` lets at most :data:`REQUESTS_PER_SECOND` of them start in any
second, in the order they came; members' answers travel on the interaction endpoints, which it
never delays.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

# Discord's documented 50, less a margin: a second measured here and one measured by Discord
# are not the same second (network delay moves requests between them).
REQUESTS_PER_SECOND = 45
WINDOW_S = 1.0


class GlobalPace:
    """At most ``limit`` requests start in any ``window`` seconds; the others wait their turn,
    first come, first served."""

    def __init__(self, limit: int = REQUESTS_PER_SECOND, window: float = WINDOW_S) -> None:
        self.limit = limit
        self.window = window
        self.waited = 0  # requests that had to wait for their turn, for the logs and tests
        self._started: deque[float] = deque()
        self._turn = asyncio.Lock()

    async def wait(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                while self._started and now - self._started[0] >= self.window:
                    self._started.popleft()
                if len(self._started) < self.limit:
                    self._started.append(now)
                    return
                self.waited += 1
                await asyncio.sleep(self.window - (now - self._started[0]))


Request = Callable[..., Awaitable[Any]]


def paced(request: Request, pace: GlobalPace) -> Request:
    """``request`` (discord.py's ``HTTPClient.request``, which every bot-token call goes
    through) waiting for its turn first."""

    async def request_in_turn(route: Any, **kwargs: Any) -> Any:
        await pace.wait()
        return await request(route, **kwargs)

    return request_in_turn
