"""Bursts through the real bot against the local Discord with Discord's rate limits enforced.

Interaction callbacks and the interaction webhook (followups, editing the original answer) are
exempt from the global 50 requests a second, so acknowledgements stay fast; what a member waits
for is the bot's final answer, which comes after the bot's own thread, post and DM calls, and
those share the global limit and their route buckets with every other member's.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.bot_process import bot_in_own_process
from benchmarks.common import (
    Section,
    Summary,
    Verdict,
    add_participants,
    ms,
    running_sandbox,
    stopwatch,
    verdict,
)
from sandbox.discord import Interaction
from sandbox.harness import Sandbox

READERS = 1_000  # `/team info` at once: the listen queue and the acknowledgements
TEAMS = 20  # open teams of 1 for the join burst
JOINERS = 100  # 4 places in each: 80 get in, 20 are refused
ACK_LIMIT_MS = 3000.0


def _answer_waits(sandbox: Sandbox, interactions: list[Interaction]) -> list[float]:
    """Seconds from dispatch to each interaction's last answer (its webhook edit/followup)."""
    last: dict[str, float] = {}
    for exchange in sandbox.discord.exchanges or []:
        if exchange.route.startswith("/webhooks/"):
            token = exchange.path.split("/")[3]
            last[token] = max(last.get(token, 0.0), exchange.at)
    return [last[ix.token] - ix.dispatched_at for ix in interactions if ix.token in last]


async def _burst(sandbox: Sandbox, calls: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    sandbox.discord.exchanges = []
    sandbox.errors.take()
    requests = len(sandbox.discord.requests)
    limited = dict(sandbox.discord.ratelimits.limited)
    with stopwatch() as took:
        interactions = list(
            await asyncio.gather(
                *(
                    sandbox.discord.run_command(sandbox.guild_id, handle, command, options)
                    for handle, command, options in calls
                )
            )
        )
        await sandbox.settle(limit=300.0)
    made = sandbox.discord.requests[requests:]
    now = sandbox.discord.ratelimits.limited
    result = {
        "n": len(interactions),
        "failed": sum(1 for ix in interactions if ix.failed or not ix.replies),
        "acks": [float(ix.ack_ms) for ix in interactions if ix.ack_ms is not None],
        "answers": [s * 1000.0 for s in _answer_waits(sandbox, interactions)],
        "seconds": took[0],
        "bot_requests": sum(1 for _, p, _ in made if not p.startswith(("/webhooks/", "/inter"))),
        "global_429": now.get("global", 0) - limited.get("global", 0),
        "route_429": now.get("user", 0) - limited.get("user", 0),
        "errors": len(sandbox.errors.take()),
    }
    sandbox.discord.exchanges = None
    return result


def _row(label: str, r: dict[str, Any]) -> list[str]:
    acks, answers = Summary.of(r["acks"]), Summary.of(r["answers"])
    return [
        label,
        str(r["n"]),
        str(r["failed"]),
        f"{ms(acks.p95)} / {ms(acks.max)}",
        f"{ms(answers.p50)} / {ms(answers.p95)} / {ms(answers.max)}",
        str(r["bot_requests"]),
        f"{r['global_429']} / {r['route_429']}",
        f"{r['seconds']:.1f}",
    ]


async def run() -> Section:
    section = Section(
        title="Bursts under Discord's rate limits",
        method=(
            "The real bot in the sandbox on SQLite, the local Discord enforcing Discord's rate "
            "limits (50 requests a second per bot, interaction endpoints exempt; per-route "
            "buckets such as 5 messages per 5 s per channel and 10 thread creations per 10 s "
            f"per channel). Readers: {READERS:,} members run `/team info` at the same moment "
            "(each one HTTP connection to the local Discord), once with the bot in the local "
            "Discord's process and once with the bot in a process of its own. Joiners: "
            f"{JOINERS} members run `/team join` at the same moment on {TEAMS} open teams of "
            "one (4 places each): each join that gets in adds the member to the team's private "
            "thread, posts there and updates the team's forum post, the others are refused. "
            "`ack` is dispatch to the first callback; `answer` is dispatch to the bot's last "
            "edit or followup for that interaction, so it includes the time the bot's own "
            "calls waited for their buckets. 429s are those the bot received."
        ),
        headers=[
            "burst",
            "n",
            "failed",
            "ack p95 / max ms",
            "answer p50 / p95 / max ms",
            "bot-token requests",
            "429 global / route",
            "settled s",
        ],
    )
    with stopwatch() as took, tempfile.TemporaryDirectory(prefix="hackbot-bench-burst-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'burst.db'}"
        async with running_sandbox(url, Path(tmp)) as sandbox:
            readers = [f"reader{i}" for i in range(READERS)]
            await add_participants(sandbox, readers)
            read = await _burst(sandbox, [(h, "team info", {}) for h in readers])
            async with bot_in_own_process(sandbox):
                apart = await _burst(sandbox, [(h, "team info", {}) for h in readers])
            await sandbox.start_bot()
            captains = [f"cap{i}" for i in range(TEAMS)]
            joiners = [f"joiner{i}" for i in range(JOINERS)]
            await add_participants(sandbox, captains + joiners)
            for i, captain in enumerate(captains):
                created = await sandbox.run(
                    captain, "team create", {"name": f"Equipo Ráfaga {i}", "open": True}
                )
                if created.errors:
                    raise RuntimeError(f"could not create a team: {created.errors}")
            joins = [
                (h, "team join", {"team": f"Equipo Ráfaga {i % TEAMS}"})
                for i, h in enumerate(joiners)
            ]
            join = await _burst(sandbox, joins)
    section.rows += [
        _row(f"{READERS:,} × /team info, bot in the same process", read),
        _row(f"{READERS:,} × /team info, bot in its own process", apart),
        _row(f"{JOINERS} × /team join on {TEAMS} teams", join),
    ]
    for label, r in ((f"{READERS:,}-interaction burst", read), ("join burst", join)):
        if r["errors"]:
            section.notes.append(f"{label}: the bot logged {r['errors']} error(s).")
    section.notes.append(
        "Own process: the same bot and database, started by `benchmarks/bot_process.py` in a "
        "child process pointed at the local Discord's URLs, so the fake's CPU (JSON, "
        "websocket, HTTP serving) is not in the bot's figures; its log is not captured."
    )
    section.verdicts += [
        Verdict(f"{READERS:,}-interaction burst, bot in its own process: none failed",
                f"{apart['failed']} failed", "0", verdict(apart["failed"] == 0)),
        Verdict(f"{READERS:,}-interaction burst, bot in its own process: ack max",
                f"{ms(max(apart['acks']))} ms", f"< {ACK_LIMIT_MS:,.0f} ms",
                verdict(max(apart["acks"]) < ACK_LIMIT_MS)),
        Verdict(f"{READERS:,}-interaction burst, same process: none failed",
                f"{read['failed']} failed", "0", verdict(read["failed"] == 0)),
        Verdict("join burst under enforced limits: none failed", f"{join['failed']} failed",
                "0", verdict(join["failed"] == 0)),
        Verdict("join burst: 429s the bot received (global / route)",
                f"{join['global_429']} / {join['route_429']}", "counted", verdict(None)),
        Verdict("join burst: slowest member's answer",
                f"{ms(Summary.of(join['answers']).max)} ms", "set by the proof issue",
                verdict(None)),
    ]  # fmt: skip
    section.seconds = took[0]
    return section
