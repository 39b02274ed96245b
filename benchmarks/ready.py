"""Time to ready: the bot's start-up on a large server, as Discord sends it.

Without the presences intent Discord's GUILD_CREATE holds the bot alone; discord.py then asks
for every member over the gateway (op 8), receives them in chunks of 1,000, and only then fires
``on_ready``, where the bot removes from their teams the members who left while it was down.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import Section, Verdict, running_sandbox, stopwatch, verdict
from sandbox.harness import Sandbox

SIZES = (2_000, 10_000)
READY_TARGET_S = 5.0  # discord.py stops waiting for chunks after max(5 s, members / 10,000)


async def _restart_on(size: int, workdir: Path) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{workdir / f'ready-{size}.db'}"
    async with running_sandbox(url, workdir) as sandbox:
        for i in range(size):
            sandbox.discord.add_member(sandbox.guild_id, f"crowd{i:05d}")
        await sandbox.settle(limit=300.0)
        await sandbox.kill_bot()
        return await _timed_start(sandbox)


async def _timed_start(sandbox: Sandbox) -> dict[str, Any]:
    gateway = sandbox.discord.gateway
    requests = gateway.member_requests
    started = time.perf_counter()
    starting = asyncio.create_task(sandbox.start_bot())
    while sandbox.bot is None or not sandbox.bot.is_ready():
        if starting.done():
            starting.result()  # a start-up that failed says why
        await asyncio.sleep(0.002)
    bot = sandbox.bot
    ready = time.perf_counter() - started
    await starting
    settled = time.perf_counter() - started
    session = max(gateway.sessions.values(), key=lambda s: s.attached_at)
    created = next(p["d"] for p in session.buffer if p["t"] == "GUILD_CREATE")
    chunks = sum(1 for p in session.buffer if p["t"] == "GUILD_MEMBERS_CHUNK")
    guild = bot.guild
    assert guild is not None
    return {
        "total": created["member_count"],
        "in_guild_create": len(created["members"]),
        "requests": gateway.member_requests - requests,
        "chunks": chunks,
        "ready_s": ready,
        "settled_s": settled,
        "cached": len(guild.members),
        "chunked": guild.chunked,
    }


async def run() -> Section:
    section = Section(
        title="Start-up on a large server",
        method=(
            "The real bot in the sandbox on SQLite. The server gets N members over the gateway "
            "while the bot runs; the bot is then killed and started again, and timed from "
            "`start_bot` to `on_ready` (log in, READY, GUILD_CREATE holding only the bot as "
            "Discord sends it without the presences intent, op 8 for every member, the "
            "GUILD_MEMBERS_CHUNK events of 1,000) and to settled (the `on_ready` "
            "reconciliation of members who left while it was down, the command check, "
            "nothing left in flight)."
        ),
        headers=[
            "members",
            "in GUILD_CREATE",
            "op 8 sent",
            "chunks",
            "to on_ready s",
            "to settled s",
            "members cached",
            "chunked",
        ],
    )
    with stopwatch() as took:
        for size in SIZES:
            with tempfile.TemporaryDirectory(prefix="hackbot-bench-ready-") as tmp:
                r = await _restart_on(size, Path(tmp))
            section.rows.append(
                [f"{r['total']:,}", str(r["in_guild_create"]), str(r["requests"]),
                 str(r["chunks"]), f"{r['ready_s']:.2f}", f"{r['settled_s']:.2f}",
                 f"{r['cached']:,}", "yes" if r["chunked"] else "no"]
            )  # fmt: skip
            ok = bool(r["chunked"]) and r["cached"] == r["total"]
            section.verdicts.append(
                Verdict(
                    f"start-up at {size:,} members: chunked, ready",
                    f"{r['ready_s']:.2f} s, {r['cached']:,} cached",
                    f"< {READY_TARGET_S:.0f} s, all cached",
                    verdict(ok and r["ready_s"] < READY_TARGET_S),
                )
            )
    section.notes.append(
        "Discord limits requests for every member to one per guild every 30 s: a restart "
        "within 30 s of the previous start gets a RATE_LIMITED event instead of chunks. The "
        "local Discord does not model that limit yet (see docs/sandbox.md)."
    )
    section.seconds = took[0]
    return section
