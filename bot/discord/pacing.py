"""The bot's own REST calls, paced under Discord's global rate limit.

Discord lets a bot make at most 50 requests a second in all (interaction callbacks and webhook
followups aside), and answers the 51st with a global 429. discord.py only reacts to that 429:
it waits and sends the request again. In a burst, the bot's own calls (adding joiners to team
threads, posting there, DMs of a reminder) easily pass 50 a second, so some were refused and
sent twice. :class:`GlobalPace` keeps them to :data:`REQUESTS_PER_SECOND` in any second as
Discord counts them, in the order they came; members' answers travel on the interaction
endpoints, which it never delays.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

# Discord's documented 50, less a margin: a second measured here and one measured by Discord
# are not the same second (network delay moves requests between them).
REQUESTS_PER_SECOND = 45
WINDOW_S = 1.0


class GlobalPace:
    """At most ``limit`` requests in any ``window`` seconds as Discord counts them, the others
    waiting their turn, first come, first served.

    Discord counts a request when it arrives, which is some time after it started (a busy event
    loop sends late) and before its answer came back. So a request holds its place from the
    moment it starts until ``window`` seconds after its answer: then however late each one was
    sent, no ``window`` of arrivals at Discord holds more than ``limit`` of them."""

    def __init__(self, limit: int = REQUESTS_PER_SECOND, window: float = WINDOW_S) -> None:
        self.limit = limit
        self.window = window
        self.waited = 0  # requests that had to wait for their turn, for the logs and tests
        self._sending = 0
        self._answered: deque[float] = deque()  # when each answer of the last window came
        self._turn = asyncio.Lock()
        self._answer = asyncio.Event()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for a place, hold it while the request runs and ``window`` seconds after."""
        await self._take()
        try:
            yield
        finally:
            self._sending -= 1
            self._answered.append(asyncio.get_running_loop().time())
            self._answer.set()

    async def _take(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                while self._answered and now - self._answered[0] >= self.window:
                    self._answered.popleft()
                if self._sending + len(self._answered) < self.limit:
                    self._sending += 1
                    return
                self.waited += 1
                if self._answered:  # the oldest answer's place frees first
                    await asyncio.sleep(self._answered[0] + self.window - now)
                else:  # every place is a request still running: wait for an answer
                    self._answer.clear()
                    await self._answer.wait()


Request = Callable[..., Awaitable[Any]]


def paced(request: Request, pace: GlobalPace) -> Request:
    """``request`` (discord.py's ``HTTPClient.request``, which every bot-token call goes
    through) in its turn."""

    async def request_in_turn(route: Any, **kwargs: Any) -> Any:
        async with pace.turn():
            return await request(route, **kwargs)

    return request_in_turn
