"""The real bot in a process of its own, against a local Discord that runs in another process.

``python -m benchmarks.bot_process SPEC_JSON``: builds the bot from the same settings the
sandbox gives it (config, names, local Hub and Calendar endpoints, database), points discord.py
at the local Discord's URLs, prints ``ready`` once its commands are in place, and runs until its
standard input closes; a line ``stats`` on its standard input makes it print a JSON line of
what it counted (``child_stats``). The benchmarks use it so that the local Discord's own CPU
stays out of the bot's figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord.gateway
import discord.http
import yarl
from sqlalchemy import event

import bot.migrate  # noqa: F401  `hackbot run` migrates the database before it starts the bot
from bot import event_loop
from bot.app import HANDLER_TASKS, create_bot
from bot.clock import ManualClock
from bot.db import Database
from bot.settings import load_settings, merge

if TYPE_CHECKING:  # the child never imports the sandbox: production does not load it
    from sandbox.harness import Sandbox

READY_TIMEOUT = 60.0


def _vm_kib(key: str) -> int:
    """``VmRSS`` (resident now) or ``VmHWM`` (resident at its peak) of this process, KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return -1


IMPORTED_KIB = _vm_kib("VmRSS")  # after the bot's imports, before anything runs


def spec_of(sandbox: Sandbox) -> dict[str, Any]:
    """What the child needs to run the bot the sandbox would run (started sandbox)."""
    from sandbox.harness import sandbox_names

    base = load_settings(sandbox.config_path, env={}, overrides=sandbox.overrides)
    return {
        "names": sandbox_names(base.config),
        "config": str(sandbox.config_path),
        "overrides": sandbox.overrides,
        "db_url": sandbox.db_url,
        "key_file": str(sandbox.workdir / "calendar-key.json"),
        "hub_url": sandbox.hub.url,
        "calendar_url": sandbox.calendar.api_endpoint,
        "base_url": sandbox.discord.base_url,
        "gateway_url": sandbox.discord.gateway_url,
        "token": sandbox.token,
        "now": sandbox.clock.now().isoformat(),
    }


async def _run(spec: dict[str, Any]) -> None:
    discord.http.Route.BASE = spec["base_url"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(spec["gateway_url"])
    config = Path(spec["config"])
    overrides = merge(spec["overrides"], spec["names"])
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
    settings = load_settings(config, env=env, overrides=overrides)
    bot = create_bot(
        settings,
        db=Database(spec["db_url"]),
        clock=ManualClock(datetime.fromisoformat(spec["now"])),
        scheduler="manual",
        guild_ready_timeout=0.05,
    )
    bot.freeze_at_ready = True  # as `hackbot run` does
    running = asyncio.create_task(bot.start(spec["token"]), name="hackbot")
    await asyncio.wait_for(_ready(bot, running), READY_TIMEOUT)
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    for engine in bot.db.engines:
        event.listen(engine.sync_engine, "before_cursor_execute", count)
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):  # until stdin closes
        if line.strip() == "stats":
            print(json.dumps({"statements": statements[0]}), flush=True)
        elif line.strip() == "busy":  # handlers, jobs and background tasks still running
            print(json.dumps({"busy": _busy(bot)}), flush=True)
        elif line.strip() == "memory":  # collect garbage, then read the resident set
            gc.collect()
            memory = {"imported_kib": IMPORTED_KIB, "rss_kib": _vm_kib("VmRSS")}
            print(json.dumps({**memory, "peak_kib": _vm_kib("VmHWM")}), flush=True)
    with contextlib.suppress(Exception):
        await bot.close()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await running
    await bot.db.dispose()


def _busy(bot: Any) -> int:
    """What the sandbox's settle counts for an in-process bot, counted here: a command whose
    Discord calls wait for their turn under the global limit makes no traffic meanwhile, but it
    is not done."""
    tasks = [
        task
        for task in asyncio.all_tasks()
        if not task.done() and task.get_name().startswith(HANDLER_TASKS)
    ]
    return len(tasks) + int(bot.job_runner.running)


async def _ready(bot: Any, running: asyncio.Task[None]) -> None:
    while not bot.is_ready():
        if running.done():
            running.result()
        await asyncio.sleep(0.01)
    await bot.commands_ready.wait()


@contextlib.asynccontextmanager
async def bot_in_own_process(sandbox: Sandbox, module: str = "benchmarks.bot_process") -> Any:
    """Replace the sandbox's in-process bot by one in a child process, for the block.

    ``module`` is the child's entry point (``benchmarks.floor_process`` runs the floor). The
    child's standard error goes to ``<module>.log`` in the sandbox's work directory (a pipe
    nobody reads would stall a child that logs much)."""
    await sandbox.kill_bot()
    log_path = sandbox.workdir / f"{module.rsplit('.', 1)[-1]}.log"
    with log_path.open("ab") as log_file:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            json.dumps(spec_of(sandbox)),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log_file,
        )
    assert child.stdout is not None and child.stdin is not None
    try:
        line = await asyncio.wait_for(child.stdout.readline(), READY_TIMEOUT)
        if line.strip() != b"ready":
            await child.wait()
            err = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the {module} process did not start: {err}")
        yield child
    finally:
        if child.returncode is None:
            child.stdin.close()
            try:
                await asyncio.wait_for(child.wait(), 30)
            except TimeoutError:
                child.kill()
                await child.wait()


async def child_stats(child: asyncio.subprocess.Process) -> dict[str, Any]:
    """What a running bot child has counted so far: ``statements``, the SQL statements its
    engine sent (every cursor execution, ``BEGIN`` included)."""
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(b"stats\n")
    await child.stdin.drain()
    line = await asyncio.wait_for(child.stdout.readline(), READY_TIMEOUT)
    return dict(json.loads(line))


async def settle_child(
    sandbox: Sandbox, child: asyncio.subprocess.Process | None, limit: float
) -> None:
    """``sandbox.settle``, and for a bot ``child`` until its own handlers are done too (the
    sandbox sees only its traffic: a call waiting for its turn under Discord's global limit
    leaves a quiet gap that is not the end)."""
    deadline = time.monotonic() + limit
    while True:
        await sandbox.settle(limit=max(0.1, deadline - time.monotonic()))
        if child is None:
            return
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(b"busy\n")
        await child.stdin.drain()
        line = await asyncio.wait_for(child.stdout.readline(), READY_TIMEOUT)
        if not json.loads(line)["busy"]:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the bot process is still busy")
        await asyncio.sleep(0.02)


async def child_memory(child: asyncio.subprocess.Process) -> dict[str, int]:
    """A running bot child's resident set after a garbage collection, KiB: ``rss_kib`` now,
    ``peak_kib`` its peak so far, ``imported_kib`` right after its imports."""
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(b"memory\n")
    await child.stdin.drain()
    line = await asyncio.wait_for(child.stdout.readline(), READY_TIMEOUT)
    return {key: int(value) for key, value in json.loads(line).items()}


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.ERROR)
    event_loop.run(_run(json.loads(sys.argv[1])))  # the loop `hackbot run` runs on
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
