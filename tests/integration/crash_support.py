"""The real bot in a process of its own, on the sandbox's clock, for the crash tests.

``python -m tests.integration.crash_support SPEC_JSON``: builds the bot exactly as
``benchmarks/bot_process.py`` does (the sandbox's settings, database, local Discord, Hub and
Calendar), with a manual clock starting at ``spec["now"]``. It prints ``ready``, then obeys one
command per line on its standard input:

- ``advance ISO``: run every job due up to that instant in time order, each at the moment it
  was due (``sandbox.scheduler.advance_to``, the same code the in-process sandbox uses), then
  print ``advanced N`` (jobs run).

With ``spec["scheduler"] == "real"`` the bot runs as in production instead: the wall clock,
APScheduler and the leader election; the child prints ``leading`` or ``following`` each time
that changes (the two-process tests).

The parent drives time and kills the process with SIGKILL whenever it likes: a process on a
moved clock runs the same job code, on the same database, as one on the wall clock (only the
source of "now" differs), and the kill can be aimed at a chosen point (a fan-out half done).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from datetime import datetime
from typing import Any

import discord.gateway
import discord.http
import yarl

from benchmarks.bot_process import spec_of
from bot import event_loop
from bot.app import HANDLER_TASKS, HackBot, create_bot
from bot.clock import ManualClock
from bot.db import Database
from bot.settings import load_settings, merge
from sandbox.harness import Sandbox, sandbox_names
from sandbox.scheduler import advance_to

READY_TIMEOUT = 60.0
ANSWER_TIMEOUT = 120.0


def _settings(spec: dict[str, Any]) -> Any:
    base = load_settings(spec["config"], env={}, overrides=spec["overrides"])
    overrides = merge(spec["overrides"], sandbox_names(base.config))
    overrides = merge(
        overrides,
        {
            "submissions": {"hub_endpoint": spec["hub_url"]},
            "talks": {"api_endpoint": spec["calendar_url"]},
        },
    )
    env = {
        "DATABASE_URL": spec["db_url"],
        "GOOGLE_APPLICATION_CREDENTIALS": spec["key_file"],
        "HF_TOKEN": "hf_sandboxtoken000000000000000",
    }
    return load_settings(spec["config"], env=env, overrides=overrides)


async def _settle(bot: HackBot) -> None:
    """Until none of the bot's handlers, background tasks or jobs is running."""
    while True:
        for _ in range(5):
            await asyncio.sleep(0)
        busy = [
            task
            for task in asyncio.all_tasks()
            if not task.done() and task.get_name().startswith(HANDLER_TASKS)
        ]
        if not busy and not bot.job_runner.running:
            return
        await asyncio.sleep(0.01)


async def _child(spec: dict[str, Any]) -> None:
    discord.http.Route.BASE = spec["base_url"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(spec["gateway_url"])
    real = spec.get("scheduler") == "real"
    clock = ManualClock(datetime.fromisoformat(spec["now"]))
    bot = create_bot(
        _settings(spec),
        db=Database(spec["db_url"]),
        clock=None if real else clock,
        scheduler="real" if real else "manual",
        guild_ready_timeout=0.05,
    )
    running = asyncio.create_task(bot.start(spec["token"]), name="bot")
    while not bot.is_ready():
        if running.done():
            running.result()
        await asyncio.sleep(0.01)
    await bot.commands_ready.wait()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    if real:
        watching = asyncio.create_task(_report_leadership(bot), name="leadership")
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command, _, argument = line.strip().partition(" ")
        if command == "advance":
            ran = await advance_to(
                bot.job_runner,
                bot.jobs,
                clock,
                datetime.fromisoformat(argument),
                lambda: _settle(bot),
            )
            print(f"advanced {len(ran)}", flush=True)
    if real:
        watching.cancel()
    with contextlib.suppress(Exception):
        await bot.close()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await running
    await bot.db.dispose()


async def _report_leadership(bot: HackBot) -> None:
    leading: bool | None = None
    while True:
        if bot.scheduling.leading != leading:
            leading = bot.scheduling.leading
            print("leading" if leading else "following", flush=True)
        await asyncio.sleep(0.05)


class BotProcess:
    """The parent's handle on one bot process."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, sandbox: Sandbox, now: datetime, *, real: bool = False) -> BotProcess:
        spec = {**spec_of(sandbox), "now": now.isoformat(), "scheduler": "manual"}
        if real:
            spec["scheduler"] = "real"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.crash_support",
            json.dumps(spec),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        child = cls(process)
        line = await child._line(READY_TIMEOUT)
        if line != "ready":
            raise RuntimeError(f"the bot process did not start: {await child._stderr()}")
        return child

    async def _line(self, limit: float) -> str:
        assert self.process.stdout is not None
        return (await asyncio.wait_for(self.process.stdout.readline(), limit)).decode().strip()

    async def _stderr(self) -> str:
        assert self.process.stderr is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.process.wait(), 5)
        return (await self.process.stderr.read()).decode()[-3000:]

    async def said(self, word: str, limit: float) -> None:
        """Wait until the child prints ``word`` (lines before it are skipped)."""
        while (line := await self._line(limit)) != word:
            if not line:
                raise RuntimeError(f"the bot process ended: {await self._stderr()}")

    async def quiet(self, limit: float = 0.5) -> bool:
        """True when the child prints nothing for ``limit`` seconds."""
        try:
            await self._line(limit)
        except TimeoutError:
            return True
        return False

    def send_advance(self, target: datetime) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"advance {target.isoformat()}\n".encode())

    async def advanced(self) -> int:
        """Wait for the answer to ``send_advance``: the number of jobs run."""
        line = await self._line(ANSWER_TIMEOUT)
        if not line.startswith("advanced "):
            raise RuntimeError(f"the bot process failed: {line!r} {await self._stderr()}")
        return int(line.split()[1])

    async def advance(self, target: datetime) -> int:
        self.send_advance(target)
        return await self.advanced()

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs; the OS closes its sockets and connections."""
        if self.process.returncode is None:
            os.kill(self.process.pid, signal.SIGKILL)
        await self.process.wait()
        assert self.process.returncode == -signal.SIGKILL

    async def stop(self) -> None:
        """A clean stop (standard input closed), killed if it does not exit in time."""
        if self.process.returncode is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            await self.kill()


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.ERROR)
    event_loop.run(_child(json.loads(sys.argv[1])))  # the loop `hackbot run` runs on
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
