"""Computing and rendering a 1,000-team leaderboard, as the scheduled job does.

For each database: 1,000 teams, each with a current model submission and a six-check list, and
3,000 members with a country. Then, timed separately and together: reading and ranking the
board (``compute``), building the card and rendering its PNG in a process of its own
(``make_card``), for the progress board (database only), the countries board, and the likes
board whose 1,000 repos are read from the local Hub through the Hub adapter (4 at a time).

``python -m benchmarks.leaderboard`` runs this section alone and prints its markdown.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import (
    Backend,
    Section,
    Summary,
    Verdict,
    ms,
    postgres_backend,
    prepare,
    sqlite_backend,
    stop_postgres,
    stopwatch,
    verdict,
)
from bot.clients.hub import HubClient
from bot.db import Database
from bot.i18n import catalogs
from bot.migrate import upgrade
from bot.models import MemberProfile, Submission, Team, TeamMember
from bot.services.leaderboard.card import make_card
from bot.services.leaderboard.compute import compute
from bot.settings.leaderboard import LeaderboardSettings
from sandbox.hub import LocalHub

WHEN = datetime(2024, 3, 20, 9, 0, tzinfo=UTC)
TEAMS = 1000
MEMBERS_PER_TEAM = 3
ROUNDS = 5
TARGET_S = 2.0  # compute + render of a database board
COUNTRIES = ("ES", "MX", "AR", "CO", "PE", "CL", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY")


async def _fill(db: Database) -> None:
    async with db.transaction() as session:
        session.add_all(
            Team(
                id=n,
                name=f"Los Linces Andinos {n}",
                name_key=f"los linces andinos {n}",
                captain_id=n * 10,
                open=True,
                size=MEMBERS_PER_TEAM,
                locked=False,
                languages=[],
                looking_for=[],
                created_at=WHEN,
                updated_at=WHEN,
            )
            for n in range(1, TEAMS + 1)
        )
        await session.flush()
        for n in range(1, TEAMS + 1):
            checks = {f"c{i}": "passed" if i < n % 7 else "failed" for i in range(6)}
            session.add(
                Submission(
                    team_id=n, kind="model", repo_id=f"somosnlp/modelo-{n}", sha="0" * 40,
                    status="passed", checks=checks, details={}, submitted_by=n * 10,
                    submitted_at=WHEN, is_current=True,
                )
            )  # fmt: skip
            for m in range(MEMBERS_PER_TEAM):
                user = n * 10 + m
                session.add(TeamMember(user_id=user, team_id=n, joined_at=WHEN))
                country = COUNTRIES[(n * 7 + m) % len(COUNTRIES)]
                session.add(
                    MemberProfile(user_id=user, country=country, hub_user=None, updated_at=WHEN)
                )


async def _time(db: Database, kind: str, hub: HubClient) -> tuple[Summary, Summary, int]:
    settings = LeaderboardSettings()
    computing, rendering = [], []
    size = 0
    for _ in range(ROUNDS):
        start = time.perf_counter()
        board = await compute(db, kind, settings, hub)
        middle = time.perf_counter()
        card = await make_card(board, catalogs(), "es-ES", settings.top_n, board.places())
        end = time.perf_counter()
        computing.append((middle - start) * 1000)
        rendering.append((end - middle) * 1000)
        size = len(card.image or b"")
    return Summary.of(computing), Summary.of(rendering), size


async def _rows(backend: Backend, workdir: Path, section: Section, hub_url: str) -> None:
    url = await prepare(backend, workdir, "leaderboard")
    await upgrade(url)
    db = Database(url)
    try:
        await _fill(db)
        hub = HubClient(hub_url, None)
        for kind in ("progress", "countries", "likes"):
            computing, rendering, size = await _time(db, kind, hub)
            total = computing.p50 + rendering.p50
            section.rows.append(
                [
                    backend.name,
                    kind,
                    ms(computing.p50),
                    ms(computing.max),
                    ms(rendering.p50),
                    ms(rendering.max),
                    ms(total),
                    f"{size / 1024:,.0f} KiB",
                ]
            )
            if kind == "progress":
                section.verdicts.append(
                    Verdict(
                        f"1,000-team board computed and rendered, p50 ({backend.name})",
                        f"{total / 1000:.2f} s",
                        f"< {TARGET_S:.0f} s",
                        verdict(total / 1000 < TARGET_S),
                    )
                )
    finally:
        await db.dispose()


async def run(backends: list[Backend]) -> Section:
    section = Section(
        title="Leaderboard at 1,000 teams",
        method=(
            f"{TEAMS:,} teams, each with a current model submission and a six-check list, and "
            f"{TEAMS * MEMBERS_PER_TEAM:,} members with a country, in a fresh database. Each "
            f"board is computed (`compute`: one read, then the Hub for likes) and its card "
            f"built with the chart rendered in a process of its own (`make_card`, top 10, 1080 px "
            f"wide PNG), {ROUNDS} times; the likes board reads its {TEAMS:,} repos from the "
            "local Hub through the Hub adapter, 4 requests at a time."
        ),
        headers=[
            "database",
            "board",
            "compute p50 ms",
            "compute max ms",
            "card + PNG p50 ms",
            "card + PNG max ms",
            "total p50 ms",
            "PNG",
        ],
    )
    hub = LocalHub()
    await hub.start()
    for n in range(1, TEAMS + 1):
        hub.set(f"somosnlp/modelo-{n}", {"likes": n % 50, "downloads": n}, kind="model")
    try:
        with stopwatch() as took:
            for backend in backends:
                if not backend.available:
                    section.notes.append(f"{backend.name} rows not run: {backend.unavailable}")
                    continue
                with tempfile.TemporaryDirectory(prefix="hackbot-bench-lb-") as tmp:
                    await _rows(backend, Path(tmp), section, hub.url)
    finally:
        await hub.close()
    section.notes.append(
        "The likes board's time is the Hub's: 1,000 repo reads, 4 at a time, on loopback; on "
        "the real Hub it grows with its latency (the scheduled post is not in a hurry; "
        "`/leaderboard` reuses likes for five minutes and a rendered card for one)."
    )
    section.seconds = took[0]
    return section


def main() -> int:
    from benchmarks.report import _table

    backends = [sqlite_backend(), postgres_backend()]
    try:
        section = asyncio.run(run(backends))
    finally:
        if backends[1].available:
            stop_postgres()
    out = [f"## {section.title}", "", section.method, ""]
    out += [*_table(section.headers, section.rows), ""]
    out += [f"- {note}" for note in section.notes] + [""]
    out += [f"_This benchmark took {section.seconds:.1f} s._", ""]
    for v in section.verdicts:
        out.append(f"| {v.what} | {v.figure} | {v.target} | {v.verdict} |")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
