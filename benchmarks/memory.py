"""Memory of the bot at event scale, in a process of its own, after the mixed burst.

The sandbox runs on SQLite with the set-up of the mixed burst (``benchmarks.mixed.setup``: its
members, 45 open teams created through the bot with their threads and forum posts, teams of
one for bookers and submitters, 20 mentors with slots, a month of daily talks synced from the
local Calendar, the submitters' models on the local Hub). Then a crowd joins the server until
it holds ``MEMBERS`` members, and the crowd forms teams of 5 (written in bulk, as the teams service
leaves them) until there are ``TEAMS``. The bot then starts in a process of its own
(``benchmarks.bot_process``), caches every member from the gateway (GUILD_CREATE, then the
member chunks), takes a warm-up, a calendar sync and the 1,000-command mixed burst (rate limits
off, acknowledgements allowed 30 s so that a loaded machine does not fail commands), collects
garbage, and reports its resident set (``VmRSS``) and its peak (``VmHWM``) from
``/proc/self/status``: right after its imports, once ready with every member cached, and
after the burst.

``python -m benchmarks.memory`` runs this section alone and prints it as Markdown, plus the
``BENCH memory ...`` summary line on standard error.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from benchmarks import mixed
from benchmarks.bot_process import bot_in_own_process, child_memory
from benchmarks.common import (
    CONFIG,
    START,
    Section,
    Verdict,
    prepare,
    sqlite_backend,
    stopwatch,
    team_rules,
    verdict,
)
from bot.clock import ManualClock
from bot.db import Database
from bot.models import Team, TeamMember
from bot.services import teams
from sandbox.harness import MemberSpec, Sandbox, quiet_discord_logs

MEMBERS = 10_000
TEAMS = 2_000
TEAM_SIZE = 5  # the crowd's teams: a captain and four members
TARGET_MIB = 200.0
# The local Discord waits this long for an acknowledgement (Discord: 3 s). This measures memory:
# on a loaded machine a late acknowledgement would fail a command, which then does less work
# and leaves less behind; the mixed burst holds the bot to the 3 s.
ACK_TIMEOUT_S = 30.0


@contextlib.asynccontextmanager
async def _sandbox(db_url: str, workdir: Path) -> AsyncIterator[Sandbox]:
    """The sandbox on ``db_url``, rate limits off (the set-up creates 45 threads at once),
    acknowledgements allowed ``ACK_TIMEOUT_S``."""
    with quiet_discord_logs():
        sandbox = Sandbox(
            CONFIG, clock=ManualClock(START), db_url=db_url, workdir=workdir,
            interaction_timeout=ACK_TIMEOUT_S,
        )  # fmt: skip
        sandbox.discord.ratelimits.enabled = False
        try:
            await sandbox.start()
            yield sandbox
        finally:
            await sandbox.close()


async def _crowd(sandbox: Sandbox) -> list[int]:
    """Members join the server until it holds ``MEMBERS``; the new members' ids."""
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    participant = MemberSpec(roles=("participant",))
    return [
        sandbox.add_member(f"c{i:05d}", participant)
        for i in range(max(0, MEMBERS - len(guild.members)))
    ]


async def _crowd_teams(url: str, crowd: list[int], now: Any) -> int:
    """The crowd forms teams of ``TEAM_SIZE`` until there are ``TEAMS``; the number of teams it
    made. Written in bulk, as rows the teams service leaves after a creation and four joins
    (one service call each would take minutes, and the bot's memory does not depend on how
    the rows were written)."""
    rules = team_rules()
    db = Database(url)
    try:
        async with db.transaction() as session:
            existing = int(await session.scalar(select(func.count()).select_from(Team)) or 0)
            wanted = max(0, TEAMS - existing)
            groups = [crowd[i : i + TEAM_SIZE] for i in range(0, len(crowd), TEAM_SIZE)]
            groups = groups[:wanted]
            if len(groups) < wanted or rules.max_size < TEAM_SIZE:
                raise RuntimeError(f"the crowd of {len(crowd):,} cannot form {wanted:,} teams")
            if not groups:
                return 0
            rows = []
            for k, group in enumerate(groups):
                name = f"Equipo Multitud {k:04d}"
                rows.append(
                    {"name": name, "name_key": teams.name_key(name),
                     "description": "Un equipo de la multitud", "captain_id": group[0],
                     "open": True, "size": len(group), "locked": False, "languages": [],
                     "looking_for": [], "created_at": now, "updated_at": now}
                )  # fmt: skip
            returning = insert(Team).returning(Team.id, sort_by_parameter_order=True)
            ids = (await session.scalars(returning, rows)).all()
            await session.execute(
                insert(TeamMember),
                [
                    {"user_id": user_id, "team_id": team_id, "joined_at": now}
                    for team_id, group in zip(ids, groups, strict=True)
                    for user_id in group
                ],
            )
        return len(groups)
    finally:
        await db.dispose()


async def measure() -> dict[str, Any]:
    """Set up the event, run the bot in its own process through the burst; what it used."""
    with tempfile.TemporaryDirectory(prefix="hackbot-bench-memory-") as tmp:
        workdir = Path(tmp)
        url = await prepare(sqlite_backend(), workdir, "memory")
        async with _sandbox(url, workdir) as sandbox:
            with stopwatch() as took:
                await mixed.setup(sandbox)
                # The in-process bot goes before the crowd arrives: the bot under measure
                # learns every member from the gateway when it starts.
                await sandbox.kill_bot()
                crowd = await _crowd(sandbox)
                made = await _crowd_teams(url, crowd, sandbox.clock.now())
            out: dict[str, Any] = {"setup_s": took[0], "crowd_teams": made}
            async with bot_in_own_process(sandbox) as child:
                out["ready"] = await child_memory(child)
                await mixed._warm_up(sandbox)
                # The bot under measure reads the calendar too (changes since the set-up's
                # sync), as its sync job does every few minutes.
                await sandbox.discord.run_command(
                    sandbox.guild_id, "olga", "admin calendar-sync", {}
                )
                await sandbox.settle(limit=60.0)
                run = await mixed.burst(sandbox, "bot", child, rate_limits=False)
                out["after"] = await child_memory(child)
            out["run"] = run
            log = workdir / "bot_process.log"
            errors = [
                line
                for line in (log.read_text(errors="replace").splitlines() if log.exists() else [])
                if line.startswith(("ERROR", "CRITICAL"))
            ]
            out["log_errors"] = len(errors)
            if errors:
                print(f"    first error in the bot's log: {errors[0]}", file=sys.stderr)
            db = Database(url)
            try:
                async with db.transaction() as session:
                    out["teams"] = int(
                        await session.scalar(select(func.count()).select_from(Team)) or 0
                    )
            finally:
                await db.dispose()
            out["members"] = len(sandbox.discord.state.guild(sandbox.guild_id).members)
            await sandbox.start_bot()  # the sandbox closes an in-process bot
    return out


def _mib(kib: int) -> float:
    return kib / 1024


def summary_line(out: dict[str, Any]) -> str:
    """One line a script can read."""
    ready, after, run = out["ready"], out["after"], out["run"]
    return (
        f"BENCH memory members={out['members']} teams={out['teams']} n={run.n} "
        f"failed={run.failed} imported_mib={_mib(ready['imported_kib']):.1f} "
        f"ready_mib={_mib(ready['rss_kib']):.1f} after_mib={_mib(after['rss_kib']):.1f} "
        f"peak_mib={_mib(after['peak_kib']):.1f} target_mib={TARGET_MIB:.0f}"
    )


async def run() -> Section:
    section = Section(
        title="Memory at event scale",
        method=(
            f"The bot in a process of its own (`benchmarks/bot_process.py`) on SQLite, with "
            f"{MEMBERS:,} members in the server and {TEAMS:,} teams: the set-up of the mixed "
            "burst (45 open teams created through the bot with their private threads and forum "
            "posts, teams of one for bookers and submitters, 20 mentors with 5 slots each, a "
            "month of daily talks synced from the local Calendar), then a crowd that joins the "
            f"server and forms teams of {TEAM_SIZE} (rows written in bulk, as the teams service "
            "leaves them). The bot learns "
            "every member from the gateway as it starts (GUILD_CREATE, then the member chunks), "
            "takes a warm-up of three reads, a calendar sync of its own and the mixed burst of "
            "1,000 commands at once (rate limits off; the local Discord waits up to "
            f"{ACK_TIMEOUT_S:.0f} s for an acknowledgement instead of 3 s, so that a loaded "
            "machine does not fail commands, which would then leave less behind: the mixed "
            "burst holds the bot to the 3 s), then collects garbage. Its resident set (`VmRSS`) "
            "and its peak (`VmHWM`) come from its own `/proc/self/status`: right after its "
            "imports, once ready (after a garbage collection), and after the burst (after one)."
        ),
        headers=["moment", "resident MiB (VmRSS)", "peak so far MiB (VmHWM)"],
    )
    with stopwatch() as took:
        out = await measure()
    ready, after, run = out["ready"], out["after"], out["run"]
    section.rows += [
        ["after its imports", f"{_mib(ready['imported_kib']):.1f}", "—"],
        [f"ready, {out['members']:,} members cached", f"{_mib(ready['rss_kib']):.1f}",
         f"{_mib(ready['peak_kib']):.1f}"],
        [f"after the burst of {run.n:,} commands", f"{_mib(after['rss_kib']):.1f}",
         f"{_mib(after['peak_kib']):.1f}"],
    ]  # fmt: skip
    rss = _mib(after["rss_kib"])
    section.verdicts.append(
        Verdict(
            f"memory with {out['members']:,} members, {out['teams']:,} teams and a month of "
            "talks, after the burst",
            f"{rss:.0f} MiB (peak {_mib(after['peak_kib']):.0f} MiB)"
            + (f"; {run.failed} commands failed, not comparable" if run.failed else ""),
            f"< {TARGET_MIB:.0f} MB",
            verdict(rss * 1.048576 < TARGET_MIB and run.failed == 0),
        )
    )
    section.notes.append(
        f"{out['teams']:,} teams in the database ({out['crowd_teams']:,} of them the crowd's). "
        f"The burst: {run.failed} of {run.n:,} commands failed, all answered in "
        f"{run.answered_s:.1f} s, {run.cpu_ms:.1f} ms of bot CPU per command, "
        f"{out['log_errors']} error line(s) in its log; the machine's load average was "
        f"{run.load:.1f} as it began. Set-up took {out['setup_s']:.0f} s."
    )
    section.notes.append(
        "Where it goes (each package imported alone, one after the other, in a fresh "
        "interpreter of about 11 MiB): discord.py with aiohttp about 32 MiB, SQLAlchemy 20, "
        "the Google Calendar client 16 (the talks sync uses it every few minutes), pydantic 7, "
        "alembic with mako and pygments 9 (`hackbot run` migrates before it starts), the Hub "
        "client 8. matplotlib and numpy (about 40 MiB) are loaded only by the chart's own "
        "short-lived process, never by the bot. The 10,000 cached members take about 19 MiB "
        "(discord.py's `Member` and `User` objects); the burst adds what 1,000 commands in "
        "flight at once leave behind (freed, but not returned to the system)."
    )
    section.notes.append(
        "The target is in megabytes (10^6 bytes); the figures are in MiB (2^20 bytes), as "
        "`/proc` reports them."
    )
    section.seconds = took[0]
    print(summary_line(out), file=sys.stderr, flush=True)
    return section


def main() -> int:
    from benchmarks.common import machine
    from benchmarks.report import render

    section = asyncio.run(run())
    sys.stdout.write(render([section], machine(), section.seconds, []))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
