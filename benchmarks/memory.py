"""Memory of the bot with an event-sized guild, compared to an empty one.

Each measurement runs in a fresh child process (``python -m benchmarks.memory rss|trace``) so
nothing else the benchmarks did is counted. The child starts the sandbox on SQLite, measures,
then loads the guild: 1,000 members join the server (the bot caches them from the gateway), 200
captains run ``/team create`` through the real bot (a private thread and a forum post each),
and the other 800 members join the teams through the teams service; then it settles, collects
garbage and measures again.

- ``rss``: resident set size of the child from ``/proc/self/status`` (``VmRSS``, current) and
  ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (peak). The child holds the bot *and* the local
  Discord, Hub and Calendar, so this is an upper bound for the bot alone.
- ``trace``: ``tracemalloc`` (25 frames) current and peak traced Python memory; every live
  allocation is split by its traceback: one with a frame in the local servers' code
  (``sandbox/discord``, ``hub``, ``gcal``, ``http_util.py``) counts as the sandbox,
  the rest as the bot (discord.py caches, SQLAlchemy, the bot's own objects). Memory allocated
  outside Python's allocator (SQLite's page cache) is not traced.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    START,
    Section,
    add_participants,
    running_sandbox,
    stopwatch,
    team_rules,
)
from bot.db import Database
from bot.services import teams
from sandbox.discord.errors import RejectedByDiscord
from sandbox.harness import MemberSpec, Sandbox

MEMBERS = 1000
TEAMS = 200
CONCURRENCY = 10
SANDBOX_SERVER_PATHS = (
    "/sandbox/discord/",
    "/sandbox/hub/",
    "/sandbox/gcal/",
    "/sandbox/http_util.py",
)


def _vm_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def _split_traced() -> dict[str, int]:
    snapshot = tracemalloc.take_snapshot()
    sandbox = bot = 0
    for trace in snapshot.traces:
        if any(
            marker in frame.filename for frame in trace.traceback for marker in SANDBOX_SERVER_PATHS
        ):
            sandbox += trace.size
        else:
            bot += trace.size
    current, peak = tracemalloc.get_traced_memory()
    return {"bot": bot, "sandbox": sandbox, "current": current, "peak": peak}


def _measure(mode: str) -> dict[str, Any]:
    gc.collect()
    if mode == "trace":
        return _split_traced()
    return {
        "rss_kib": _vm_rss_kib(),
        "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


async def _in_batches(sandbox: Sandbox, calls: list[tuple[str, str, dict[str, Any]]]) -> int:
    """Run commands ``CONCURRENCY`` at a time; the number that failed."""
    failed = 0
    for start in range(0, len(calls), CONCURRENCY):
        batch = calls[start : start + CONCURRENCY]
        interactions = await asyncio.gather(
            *(
                sandbox.discord.run_command(sandbox.guild_id, handle, command, options)
                for handle, command, options in batch
            )
        )
        await sandbox.settle()
        failed += sum(1 for ix in interactions if ix.failed or not ix.replies)
    return failed


async def _join_in_database(url: str, joins: list[tuple[int, str]]) -> None:
    """The other members join through the service (100 per transaction): a join through the
    bot costs tens of milliseconds of REST work each, which would dominate the run."""
    rules = team_rules()
    db = Database(url)
    try:
        for start in range(0, len(joins), 100):
            async with db.transaction() as session:
                for user_id, name in joins[start : start + 100]:
                    await teams.join(session, rules, user_id=user_id, team_name=name, now=START)
    finally:
        await db.dispose()


async def _commands_synced(sandbox: Sandbox, limit: float = 60.0) -> None:
    """Wait until the bot's command sync reached the local Discord (slow under tracing)."""
    sandbox.add_member("probe", MemberSpec(roles=("participant",)))
    deadline = time.monotonic() + limit
    while True:
        await sandbox.settle()
        try:
            await sandbox.run("probe", "team list", {})
            return
        except RejectedByDiscord:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def _child(mode: str) -> dict[str, Any]:
    if mode == "trace":
        tracemalloc.start(25)
    with tempfile.TemporaryDirectory(prefix="hackbot-bench-mem-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'memory.db'}"
        # Rate limits off: this measures memory, and 200 team creations would otherwise wait
        # minutes on the 10-per-10-s thread bucket without changing what is measured.
        async with running_sandbox(url, Path(tmp), rate_limits=False) as sandbox:
            await _commands_synced(sandbox)
            empty = _measure(mode)
            if mode == "trace":
                tracemalloc.reset_peak()
            handles = [f"m{i}" for i in range(MEMBERS)]
            with stopwatch() as took:
                await add_participants(sandbox, handles)
                names = [f"Equipo Memoria {i}" for i in range(TEAMS)]
                creates = [
                    (handles[i], "team create", {"name": names[i], "open": True})
                    for i in range(TEAMS)
                ]
                failed = await _in_batches(sandbox, creates)
                await _join_in_database(
                    url,
                    [
                        (sandbox.discord.user_id(handles[i]), names[i % TEAMS])
                        for i in range(TEAMS, MEMBERS)
                    ],
                )
            loaded = _measure(mode)
            assert sandbox.bot is not None
            guild = sandbox.bot.guilds[0]
            cache = {
                "members": len(guild.members),
                "threads": len(guild.threads),
                "messages": len(sandbox.bot.cached_messages),
            }
    return {"empty": empty, "loaded": loaded, "failed": failed, "load_s": took[0], "cache": cache}


def _run_child(mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", mode],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"memory child ({mode}) exited {done.returncode}: {tail}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _mib(value: float) -> str:
    return f"{value / 1024 / 1024:,.1f}"


def run() -> Section:
    section = Section(
        title="Memory",
        method=(
            f"A guild with {MEMBERS:,} members and {TEAMS} teams (each with its private thread "
            f"and forum post; 5 members per team) in the sandbox on SQLite, against the same "
            "sandbox right after start-up. Members join the server over the gateway; the "
            f"captains run `/team create` through the bot ({CONCURRENCY} at a time); the other "
            f"{MEMBERS - TEAMS} members join through the teams service (so each thread's member "
            "list holds only its captain). Two fresh child processes: one reads the resident "
            "set size (`/proc/self/status` VmRSS, and the peak from `resource.getrusage`), "
            "the other traces Python allocations with `tracemalloc` (25 frames) and splits the "
            "live ones between the bot and the local servers by their traceback. Garbage is "
            "collected before each reading."
        ),
        headers=["measure", "empty guild MiB", "loaded guild MiB", "growth MiB"],
    )
    traced = os.environ.get("BENCH_TRACEMALLOC") == "1"
    with stopwatch() as took, ThreadPoolExecutor(max_workers=2) as pool:
        rss_future = pool.submit(_run_child, "rss")
        trace_future = pool.submit(_run_child, "trace") if traced else None
        rss = rss_future.result()
        trace = trace_future.result() if trace_future is not None else None
    e, loaded = rss["empty"], rss["loaded"]
    section.rows += [
        ["RSS of the process, VmRSS (bot + local servers)",
         _mib(e["rss_kib"] * 1024), _mib(loaded["rss_kib"] * 1024),
         _mib((loaded["rss_kib"] - e["rss_kib"]) * 1024)],
        ["peak RSS, ru_maxrss (bot + local servers)",
         _mib(e["maxrss_kib"] * 1024), _mib(loaded["maxrss_kib"] * 1024),
         _mib((loaded["maxrss_kib"] - e["maxrss_kib"]) * 1024)],
    ]  # fmt: skip
    if trace is None:
        section.notes.append(
            "The tracemalloc rows are skipped by default: tracing every allocation with its "
            "traceback makes the load take about three minutes. Run "
            "`BENCH_TRACEMALLOC=1 make bench` to add them."
        )
        trace = {"load_s": math.nan, "failed": 0}
    else:
        e, loaded = trace["empty"], trace["loaded"]
        section.rows += [
            ["tracemalloc, live: the bot", _mib(e["bot"]), _mib(loaded["bot"]),
             _mib(loaded["bot"] - e["bot"])],
            ["tracemalloc, live: local Discord, Hub, Calendar", _mib(e["sandbox"]),
             _mib(loaded["sandbox"]), _mib(loaded["sandbox"] - e["sandbox"])],
            ["tracemalloc, peak while loading (whole process)", _mib(e["peak"]),
             _mib(loaded["peak"]), "—"],
        ]  # fmt: skip
    cache = rss["cache"]
    section.notes.append(
        f"The bot's cache after loading: {cache['members']:,} members, {cache['threads']} "
        f"threads, {cache['messages']} cached messages. Loading took "
        f"{rss['load_s']:.1f} s."
    )
    section.notes.append(
        "The local Discord's rate limits are off here: this measures memory, and 200 team "
        "creations would otherwise wait minutes on the thread-creation bucket."
    )
    if rss["failed"] or trace["failed"]:
        section.notes.append(
            f"Commands that failed or got no reply while loading: {rss['failed']} (RSS run), "
            f"{trace['failed']} (traced run)."
        )
    section.seconds = took[0]
    return section


def main() -> int:
    mode = sys.argv[1] if len(sys.argv) > 1 else "rss"
    if mode not in {"rss", "trace"}:
        print("usage: python -m benchmarks.memory rss|trace", file=sys.stderr)
        return 2
    result = asyncio.run(_child(mode))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
