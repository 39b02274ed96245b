"""A talk reminder to 1,000 subscribers by direct message, under Discord's rate limits.

The real bot in the sandbox on SQLite, the local Discord enforcing Discord's limits (50
requests a second per bot). 1,000 members subscribe to talk reminders through the command
(which opens and stores each member's DM channel); a talk is synced from the local Calendar;
the clock then moves to its first reminder (24 hours before) and the reminder job sends one
DM per subscriber.
Counted: the time from the job's start until the last DM, the bot's Discord requests during the
fan-out, the 429s it got, and the members who received the reminder (none may be lost).

``python -m benchmarks.fanout`` runs this section alone and prints it as Markdown.
"""

from __future__ import annotations

import asyncio
import collections
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import (
    START,
    Section,
    Verdict,
    machine,
    running_sandbox,
    sqlite_backend,
    stopwatch,
    verdict,
)
from benchmarks.report import render
from sandbox.harness import MemberSpec

SUBSCRIBERS = int(os.environ.get("BENCH_FANOUT_N", "1000"))
# The talk starts 26 h after the benchmark's start: its first reminder (24 h before) falls due
# 2 h after the start, and that one is the fan-out measured.
TALK_IN = timedelta(hours=26)
FIRST_REMINDER = timedelta(hours=24)
SUBSCRIBE_AT_ONCE = 50


def _kind(state: Any, method: str, path: str) -> str:
    """A request as a reader names it: a DM, a post in a server channel, or its route."""
    parts = path.strip("/").split("/")
    if method == "POST" and len(parts) == 3 and parts[0] == "channels" and parts[2] == "messages":
        return "DM" if int(parts[1]) in state.dm_channels else "channel post"
    return f"{method} /{parts[0]}/…" if parts else method


async def _run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="hackbot-bench-fanout-") as tmp:
        workdir = Path(tmp)
        url = sqlite_backend().fresh_url(workdir, "fanout")
        async with running_sandbox(url, workdir, rate_limits=False) as sandbox:
            sandbox.settle_limit = 900.0
            handles = [f"s{i:04d}" for i in range(SUBSCRIBERS)]
            for handle in handles:
                sandbox.add_member(handle, MemberSpec(roles=("participant",)))
            sandbox.add_member("olga", MemberSpec(roles=("organizer",)))
            await sandbox.settle(limit=60.0)
            start = (START + TALK_IN).strftime("%Y-%m-%dT%H:%M:%SZ")
            end = (START + TALK_IN + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            sandbox.calendar.load(
                [{"id": "charla", "summary": "Charla", "start": start, "end": end}],
                calendar_id=sandbox.calendar_id,
            )
            synced = await sandbox.run("olga", "admin calendar-sync")
            if synced.errors:
                raise RuntimeError(f"the calendar sync failed: {synced.errors}")
            for i in range(0, SUBSCRIBERS, SUBSCRIBE_AT_ONCE):
                batch = handles[i : i + SUBSCRIBE_AT_ONCE]
                done = await asyncio.gather(
                    *(
                        sandbox.discord.run_command(sandbox.guild_id, h, "talks subscribe", {})
                        for h in batch
                    )
                )
                await sandbox.settle(limit=120.0)
                if any(ix.failed or not ix.replies for ix in done):
                    raise RuntimeError("a subscription was not answered")
            sandbox.discord.ratelimits.enabled = True
            ids = {sandbox.discord.user_id(h): h for h in handles}
            requests = len(sandbox.discord.requests)
            limited = dict(sandbox.discord.ratelimits.limited)
            sandbox.errors.take()
            with stopwatch() as took:
                outcome = await sandbox.advance(TALK_IN - FIRST_REMINDER + timedelta(seconds=1))
            made = sandbox.discord.requests[requests:]
            state = sandbox.discord.state
            routes = collections.Counter(_kind(state, method, path) for method, path, _ in made)
            now = sandbox.discord.ratelimits.limited
            received: set[str] = set()
            for message in state.messages.values():
                channel = state.dm_channels.get(message.channel_id)
                if channel is None or channel.recipient_id not in ids:
                    continue
                if "Charla" in (message.content or ""):
                    received.add(ids[channel.recipient_id])
            return {
                "seconds": took[0],
                "requests": len(made),
                "routes": dict(routes),
                "status": collections.Counter(status for _, _, status in made),
                "global_429": now.get("global", 0) - limited.get("global", 0),
                "route_429": now.get("user", 0) - limited.get("user", 0),
                "received": len(received),
                "errors": len(outcome.errors) + len(sandbox.errors.take()),
            }


async def run() -> Section:
    with stopwatch() as took:
        r = await _run()
    section = Section(
        title=f"Talk reminder to {SUBSCRIBERS:,} subscribers by direct message",
        method=(
            "The real bot in the sandbox on SQLite, the local Discord enforcing Discord's rate "
            f"limits (50 requests a second per bot) during the fan-out. {SUBSCRIBERS:,} members "
            "subscribe through `/talks subscribe` (50 at a time, limits off: that opens and "
            "stores each member's DM channel), one talk is synced from the local Calendar, and "
            "the clock moves to its first reminder (24 hours before): the reminder job sends "
            "one DM per subscriber. Timed from the clock's move until the bot is idle again."
        ),
        headers=["subscribers", "fan-out s", "requests", "429 global / route", "received"],
        rows=[
            [
                f"{SUBSCRIBERS:,}",
                f"{r['seconds']:.1f}",
                str(r["requests"]),
                f"{r['global_429']} / {r['route_429']}",
                f"{r['received']:,}",
            ]
        ],
    )
    section.notes.append(
        f"Requests during the fan-out: {r['routes']}; by status: "
        f"{dict(r['status'])}; {r['errors']} error(s) logged."
    )
    section.verdicts += [
        Verdict(
            f"talk reminder to {SUBSCRIBERS:,} subscribers: none lost",
            f"{r['received']:,} received",
            f"{SUBSCRIBERS:,}",
            verdict(r["received"] == SUBSCRIBERS),
        ),
        Verdict(
            f"talk reminder to {SUBSCRIBERS:,} subscribers: time and Discord requests",
            f"{r['seconds']:.1f} s, {r['requests']} requests, {r['global_429']} 429s",
            "within the limits",
            verdict(None),
        ),
    ]
    print(
        f"BENCH fanout n={SUBSCRIBERS} seconds={r['seconds']:.2f} requests={r['requests']} "
        f"429_global={r['global_429']} 429_route={r['route_429']} received={r['received']}",
        file=sys.stderr,
        flush=True,
    )
    section.seconds = took[0]
    return section


def main() -> int:
    section = asyncio.run(run())
    sys.stdout.write(render([section], machine(), section.seconds, []))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
