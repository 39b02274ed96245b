"""Command acknowledgement: how long the real bot takes to first answer an interaction.

Discord fails an interaction that gets no response within 3 seconds. ``ack_ms`` is measured by
the local Discord: wall time from dispatching the interaction over the gateway to receiving the
bot's first callback (for these commands, the ``defer``).
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import (
    Backend,
    Section,
    Summary,
    Verdict,
    add_participants,
    ms,
    prepare,
    running_sandbox,
    stopwatch,
    verdict,
)
from bot.db import Database
from bot.models.teams import Team, TeamMember
from sandbox.harness import Sandbox

SEQUENTIAL = 40  # commands of each kind, one after the other
RACERS = 50  # concurrent `/team join` on one open team
ROUNDS = 3  # races, each on a fresh team with fresh members
AUTOCOMPLETES = 5  # end-to-end autocomplete interactions (concurrent)
ACK_P95_MS = 500.0
ACK_MAX_MS = 3000.0


async def _sequential(sandbox: Sandbox) -> dict[str, tuple[list[float], int]]:
    """``{command: (ack ms, interactions that failed or logged an error)}``."""
    captains = [f"cap{i}" for i in range(SEQUENTIAL)]
    joiners = [f"joiner{i}" for i in range(SEQUENTIAL)]
    await add_participants(sandbox, captains + joiners)
    results: dict[str, tuple[list[float], int]] = {}

    async def measure(command: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
        acks: list[float] = []
        bad = 0
        for handle, options in calls:
            outcome = await sandbox.run(handle, command, options)
            if outcome.ack_ms is None or outcome.errors:
                bad += 1
            if outcome.ack_ms is not None:
                acks.append(float(outcome.ack_ms))
        results[command] = (acks, bad)

    names = [f"Equipo Secuencial {i}" for i in range(SEQUENTIAL)]
    await measure(
        "team create",
        [(cap, {"name": name, "open": True}) for cap, name in zip(captains, names, strict=True)],
    )
    await measure(
        "team join", [(j, {"team": name}) for j, name in zip(joiners, names, strict=True)]
    )
    await measure("team info", [(j, {"team": names[-1 - i]}) for i, j in enumerate(joiners)])
    pages = max(SEQUENTIAL // 10, 1)
    await measure("team list", [(j, {"page": 1 + i % pages}) for i, j in enumerate(joiners)])
    return results


async def _race(sandbox: Sandbox, db_url: str, round_no: int) -> dict[str, Any]:
    captain = f"race{round_no}cap"
    racers = [f"race{round_no}m{i}" for i in range(RACERS)]
    await add_participants(sandbox, [captain, *racers])
    name = f"Carrera {round_no}"
    created = await sandbox.run(captain, "team create", {"name": name, "open": True})
    if created.errors:
        raise RuntimeError(f"could not create the race team: {created.errors}")
    sandbox.errors.take()
    with stopwatch() as took:
        interactions = await asyncio.gather(
            *(
                sandbox.discord.run_command(sandbox.guild_id, handle, "team join", {"team": name})
                for handle in racers
            )
        )
        await sandbox.settle()
    acks = [float(ix.ack_ms) for ix in interactions if ix.ack_ms is not None]
    unanswered = sum(1 for ix in interactions if ix.failed or ix.ack_ms is None)
    unfinished = sum(1 for ix in interactions if not ix.replies)
    db = Database(db_url)
    try:
        async with db.read() as session:
            size = await session.scalar(select(Team.size).where(Team.name == name))
            members = await session.scalar(
                select(func.count())
                .select_from(TeamMember)
                .join(Team, Team.id == TeamMember.team_id)
                .where(Team.name == name)
            )
    finally:
        await db.dispose()
    return {
        "acks": acks,
        "unanswered": unanswered,
        "unfinished": unfinished,
        "errors": len(sandbox.errors.take()),
        "size": size,
        "members": members,
        "seconds": took[0],
    }


async def _autocomplete(sandbox: Sandbox) -> tuple[int, list[float], list[str]]:
    """End to end: ``/team join`` autocomplete through the real bot."""
    sandbox.errors.take()
    interactions = await asyncio.gather(
        *(
            sandbox.discord.autocomplete(
                sandbox.guild_id, f"joiner{i}", "team join", {"team": "Equipo"}
            )
            for i in range(AUTOCOMPLETES)
        )
    )
    await sandbox.settle()
    answered = [float(ix.ack_ms) for ix in interactions if ix.ack_ms is not None and not ix.failed]
    errors = sorted({str(e.get("exception") or e.get("message")) for e in sandbox.errors.take()})
    return len(interactions) - len(answered), answered, errors


async def run_backend(backend: Backend, section: Section, workdir: Path) -> None:
    db_url = await prepare(backend, workdir, "ack")
    async with running_sandbox(db_url, workdir) as sandbox:
        sequential = await _sequential(sandbox)
        for command, (acks, bad) in sequential.items():
            s = Summary.of(acks)
            section.rows.append(
                [backend.name, f"/{command}, sequential", str(SEQUENTIAL),
                 ms(s.p50), ms(s.p95), ms(s.max), "yes" if bad == 0 else f"no ({bad} failed)"]
            )  # fmt: skip
        race_acks: list[float] = []
        problems: list[str] = []
        for round_no in range(ROUNDS):
            race = await _race(sandbox, db_url, round_no)
            race_acks += race["acks"]
            if race["unanswered"] or race["unfinished"]:
                problems.append(
                    f"round {round_no + 1}: {race['unanswered']} unanswered, "
                    f"{race['unfinished']} without a final reply"
                )
            if race["errors"]:
                problems.append(f"round {round_no + 1}: {race['errors']} errors logged by the bot")
            if race["size"] != 5 or race["members"] != 5:
                problems.append(
                    f"round {round_no + 1}: team ended with size {race['size']} and "
                    f"{race['members']} members (expected 5 and 5)"
                )
            section.notes.append(
                f"{backend.name}, race {round_no + 1}: {RACERS} joins answered and settled in "
                f"{race['seconds'] * 1000:,.0f} ms; the team ended with {race['members']} "
                f"members (limit 5)."
            )
        s = Summary.of(race_acks)
        all_answered = not problems
        section.rows.append(
            [backend.name, f"/team join, {RACERS} concurrent × {ROUNDS}",
             str(RACERS * ROUNDS), ms(s.p50), ms(s.p95), ms(s.max),
             "yes" if all_answered else "no"]
        )  # fmt: skip
        section.notes += [f"{backend.name}: {p}" for p in problems]
        section.verdicts += [
            Verdict(
                f"ack p95, {RACERS}-way /team join race ({backend.name})",
                f"{ms(s.p95)} ms",
                f"< {ACK_P95_MS:,.0f} ms",
                verdict(s.p95 < ACK_P95_MS),
            ),
            Verdict(
                f"ack max, {RACERS}-way /team join race ({backend.name})",
                f"{ms(s.max)} ms",
                f"< {ACK_MAX_MS:,.0f} ms",
                verdict(s.max < ACK_MAX_MS),
            ),
            Verdict(
                f"every racer answered, capacity held ({backend.name})",
                "yes" if all_answered else "no",
                "yes",
                verdict(all_answered),
            ),
        ]
        failed, answered, errors = await _autocomplete(sandbox)
        s = Summary.of(answered)
        section.rows.append(
            [backend.name, f"/team join autocomplete, {AUTOCOMPLETES} concurrent",
             str(AUTOCOMPLETES), ms(s.p50), ms(s.p95), ms(s.max),
             "yes" if failed == 0 else f"no ({failed} failed)"]
        )  # fmt: skip
        if failed:
            section.notes.append(
                f"{backend.name}: {failed} of {AUTOCOMPLETES} autocomplete interactions were "
                f"never answered (Discord shows no choices). The bot logged: "
                + "; ".join(f"`{e}`" for e in errors)
            )
        section.verdicts.append(
            Verdict(
                f"/team join autocomplete answers end to end ({backend.name})",
                f"{AUTOCOMPLETES - failed} of {AUTOCOMPLETES}",
                f"{AUTOCOMPLETES} of {AUTOCOMPLETES}",
                verdict(failed == 0),
            )
        )


async def run(backends: list[Backend]) -> Section:
    section = Section(
        title="Command acknowledgement",
        method=(
            "The real bot in the sandbox (local Discord over HTTP and websocket, same process, "
            "loopback). `ack` is the local Discord's wall time from dispatching an interaction "
            "to the bot's first response. Sequential rows: "
            f"{SEQUENTIAL} commands of each kind one after the other ({SEQUENTIAL} open teams "
            f"exist by the end). Race rows: {ROUNDS} rounds; in each, {RACERS} members who have "
            "no team run `/team join` on the same open team at the same moment (4 places "
            "left). Autocomplete row: the `/team join` autocomplete as Discord sends it, "
            "end to end through the bot."
        ),
        headers=["database", "interaction", "n", "p50 ms", "p95 ms", "max ms", "all answered"],
    )
    with stopwatch() as took:
        for backend in backends:
            if not backend.available:
                section.rows.append([backend.name, "all", "—", "—", "—", "—", "not run"])
                section.notes.append(f"{backend.name} rows not run: {backend.unavailable}")
                continue
            with tempfile.TemporaryDirectory(prefix="hackbot-bench-ack-") as tmp:
                await run_backend(backend, section, Path(tmp))
    section.seconds = took[0]
    return section
