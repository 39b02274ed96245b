"""Team formation at event scale, through the service layer, and the autocomplete query.

Formation: 200 captains create open teams and 800 more members join them (5 per team), each
operation in its own writing transaction as the bot does per command; once one after the
other, once with several workers at a time (commands overlap on a busy day).

Autocomplete: ``teams.search_team_names`` in a read transaction, as the cog calls it, with 200
and then 1,000 teams in the database.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.common import (
    START,
    Backend,
    Section,
    Summary,
    Verdict,
    ms,
    prepare,
    stopwatch,
    team_rules,
    verdict,
)
from bot.db import Database
from bot.migrate import upgrade
from bot.models.teams import Team, TeamMember
from bot.services import teams
from bot.services.teams import TeamRules

TEAMS = 200
MEMBERS = 1000  # captains included
WORKERS = 8
AUTOCOMPLETE_SIZES = (200, 1000)
AUTOCOMPLETE_ROUNDS = 30  # each query of QUERIES this many times, per size
AUTOCOMPLETE_P95_MS = 50.0

ADJECTIVES = (
    "Rápidos", "Curiosos", "Valientes", "Sabios", "Audaces", "Tranquilos", "Brillantes",
    "Nocturnos", "Andinos", "Ibéricos", "Caribeños", "Pampeanos", "Atlánticos", "Políglotas",
)  # fmt: skip
NOUNS = (
    "Tigres", "Cóndores", "Linces", "Búhos", "Jaguares", "Delfines", "Quetzales", "Llamas",
    "Colibríes", "Pumas", "Tucanes", "Zorros", "Osos", "Lobos", "Halcones", "Tortugas",
)  # fmt: skip


def team_names(count: int, seed: int = 600) -> list[str]:
    """``count`` distinct, realistic names ("Los Linces Andinos 17"), the same every run."""
    rng = random.Random(seed)
    names: list[str] = []
    for i in range(count):
        names.append(f"Los {rng.choice(NOUNS)} {rng.choice(ADJECTIVES)} {i + 1}")
    return names


# Typed as a member types them: "" when the option gets focus, prefixes, a word in the middle
# (the "contains" fallback), an exact name, and nothing that matches.
QUERIES = ("", "l", "los", "los ti", "andinos", "Los Pumas Sabios 1", "zzz")


def _stamp(i: int) -> datetime:
    return START + timedelta(milliseconds=i)


async def _timed_ops(
    ops: Sequence[Callable[[], Awaitable[object]]], workers: int
) -> tuple[float, list[float]]:
    """Run ``ops`` with ``workers`` at a time; the wall seconds and each op's milliseconds."""
    queue = list(reversed(ops))
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            op = queue.pop()
            start = time.perf_counter()
            await op()
            latencies.append((time.perf_counter() - start) * 1000)

    with stopwatch() as took:
        await asyncio.gather(*(worker() for _ in range(workers)))
    return took[0], latencies


Op = Callable[[], Awaitable[object]]


def _create(db: Database, rules: TeamRules, captain: int, name: str, i: int) -> Op:
    async def op() -> None:
        async with db.transaction() as session:
            await teams.create_team(
                session, rules, captain_id=captain, name=name, description=None, open=True,
                now=_stamp(i),
            )  # fmt: skip

    return op


def _join(db: Database, rules: TeamRules, user: int, name: str, i: int) -> Op:
    async def op() -> None:
        async with db.transaction() as session:
            result = await teams.join(session, rules, user_id=user, team_name=name, now=_stamp(i))
        if result.kind != "joined":
            raise RuntimeError(f"user {user} did not join {name}: {result.kind}")

    return op


@dataclass(frozen=True)
class Formed:
    create_s: float
    create_ms: list[float]
    join_s: float
    join_ms: list[float]
    teams: int
    members: int
    sizes: set[int]


async def _form(db: Database, rules: TeamRules, workers: int, first_user: int = 1) -> Formed:
    names = team_names(TEAMS)
    captains = range(first_user, first_user + TEAMS)
    creates = [
        _create(db, rules, captain, name, i)
        for i, (captain, name) in enumerate(zip(captains, names, strict=True))
    ]
    joiners = range(first_user + TEAMS, first_user + MEMBERS)
    joins = [_join(db, rules, user, names[i % TEAMS], TEAMS + i) for i, user in enumerate(joiners)]
    create_s, create_ms = await _timed_ops(creates, workers)
    join_s, join_ms = await _timed_ops(joins, workers)
    async with db.read() as session:
        team_count = await session.scalar(select(func.count()).select_from(Team))
        member_count = await session.scalar(select(func.count()).select_from(TeamMember))
        sizes = set(await session.scalars(select(Team.size).distinct()))
    return Formed(create_s, create_ms, join_s, join_ms, team_count or 0, member_count or 0, sizes)


async def _formation_rows(backend: Backend, workdir: Path, section: Section) -> None:
    rules = team_rules()
    for workers in (1, WORKERS):
        url = await prepare(backend, workdir, f"formation{workers}")
        await upgrade(url)
        db = Database(url)
        try:
            result = await _form(db, rules, workers)
        finally:
            await db.dispose()
        total = result.create_s + result.join_s
        ops = MEMBERS  # one create per captain, one join per other member
        c = Summary.of(result.create_ms)
        j = Summary.of(result.join_ms)
        ok = result.teams == TEAMS and result.members == MEMBERS and result.sizes == {5}
        section.rows.append(
            [backend.name, "1 (sequential)" if workers == 1 else f"{workers} at a time",
             f"{total:.2f}", f"{ops / total:,.0f}",
             f"{ms(c.p50)} / {ms(c.p95)}", f"{ms(j.p50)} / {ms(j.p95)}",
             "yes" if ok else "no"]
        )  # fmt: skip
        if not ok:
            section.notes.append(
                f"{backend.name}, {workers} workers: ended with {result.teams} teams, "
                f"{result.members} members, sizes {sorted(result.sizes)}"
            )


async def _fill(db: Database, rules: TeamRules, names: Sequence[str], first_user: int) -> None:
    """Insert teams named ``names`` with 1 to 5 members each (setup only, not measured).

    Rows are written directly, 100 teams per transaction: the service path is what the
    formation benchmark measures; here only the resulting rows matter.
    """
    rng = random.Random(first_user)
    user = first_user
    for start in range(0, len(names), 100):
        async with db.transaction() as session:
            batch: list[tuple[Team, list[int]]] = []
            for i, name in enumerate(names[start : start + 100]):
                display, key = teams.validate_team_name(name, rules)
                size = rng.randint(1, rules.max_size)
                members = list(range(user, user + size))
                user += size
                team = Team(
                    name=display, name_key=key, description=None, captain_id=members[0],
                    open=True, size=size, locked=False, languages=[], looking_for=[],
                    created_at=_stamp(start + i), updated_at=_stamp(start + i),
                )  # fmt: skip
                batch.append((team, members))
            session.add_all([team for team, _ in batch])
            await session.flush()
            session.add_all(
                [
                    TeamMember(user_id=member, team_id=team.id, joined_at=team.created_at)
                    for team, members in batch
                    for member in members
                ]
            )


async def _autocomplete_rows(backend: Backend, workdir: Path, section: Section) -> None:
    rules = team_rules()
    url = await prepare(backend, workdir, "autocomplete")
    await upgrade(url)
    db = Database(url)
    names = team_names(max(AUTOCOMPLETE_SIZES))
    loaded = 0
    try:
        for size in AUTOCOMPLETE_SIZES:
            await _fill(db, rules, names[loaded:size], first_user=1 + loaded * rules.max_size)
            loaded = size
            latencies: list[float] = []
            found: dict[str, int] = {}
            for _ in range(AUTOCOMPLETE_ROUNDS):
                for query in QUERIES:
                    start = time.perf_counter()
                    async with db.read() as session:
                        views = await teams.search_team_names(
                            session, query, limit=25, rules=rules, now=START
                        )
                    latencies.append((time.perf_counter() - start) * 1000)
                    found[query] = len(views)
            s = Summary.of(latencies)
            section.rows.append(
                [backend.name, f"{size:,}", str(s.count), ms(s.p50), ms(s.p95), ms(s.max)]
            )
            if size == max(AUTOCOMPLETE_SIZES):
                section.verdicts.append(
                    Verdict(
                        f"autocomplete p95 at {size:,} teams ({backend.name})",
                        f"{ms(s.p95)} ms",
                        f"< {AUTOCOMPLETE_P95_MS:,.0f} ms",
                        verdict(s.p95 < AUTOCOMPLETE_P95_MS),
                    )
                )
                section.notes.append(
                    f"{backend.name}, choices returned at {size:,} teams: "
                    + ", ".join(f"`{q!r}` → {n}" for q, n in found.items())
                )
    finally:
        await db.dispose()


async def run_formation(backends: list[Backend]) -> Section:
    section = Section(
        title="Team formation throughput",
        method=(
            f"{TEAMS} captains create open teams, then {MEMBERS - TEAMS} members join them "
            f"until every team has 5 ({MEMBERS:,} operations), through the teams service, each "
            "operation in its own writing transaction as the bot runs a command. Run once one "
            f"operation at a time and once with {WORKERS} workers at a time on one engine. "
            "Latencies are per operation (open transaction, service call, commit)."
        ),
        headers=["database", "workers", "total s", "ops/s", "create p50 / p95 ms",
                 "join p50 / p95 ms", "end state right"],
    )  # fmt: skip
    with stopwatch() as took:
        for backend in backends:
            if not backend.available:
                section.rows.append([backend.name, "—", "—", "—", "—", "—", "not run"])
                section.notes.append(f"{backend.name} rows not run: {backend.unavailable}")
                continue
            with tempfile.TemporaryDirectory(prefix="hackbot-bench-form-") as tmp:
                await _formation_rows(backend, Path(tmp), section)
    section.seconds = took[0]
    return section


async def run_autocomplete(backends: list[Backend]) -> Section:
    section = Section(
        title="Autocomplete (team names)",
        method=(
            "Autocomplete cannot be deferred, so it is served straight from the database: "
            "`teams.search_team_names(session, query, limit=25, ...)` inside `Database.read()`, "
            "timed from opening the read transaction to having the views. The teams (1 to 5 "
            'members each) have names like "Los Linces Andinos 17". Queries, each run '
            f"{AUTOCOMPLETE_ROUNDS} times per size: "
            + ", ".join(f"`{q!r}`" for q in QUERIES)
            + " (empty focus, prefixes, a word in the middle, an exact name, no match)."
        ),
        headers=["database", "teams", "n", "p50 ms", "p95 ms", "max ms"],
    )
    with stopwatch() as took:
        for backend in backends:
            if not backend.available:
                section.rows.append([backend.name, "—", "—", "—", "—", "not run"])
                section.notes.append(f"{backend.name} rows not run: {backend.unavailable}")
                continue
            with tempfile.TemporaryDirectory(prefix="hackbot-bench-ac-") as tmp:
                await _autocomplete_rows(backend, Path(tmp), section)
    section.seconds = took[0]
    return section
