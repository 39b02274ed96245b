"""What every benchmark shares: statistics, results, databases, sandboxes, the machine."""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import os
import platform
import subprocess
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.clock import ManualClock
from bot.db import Database
from bot.services.teams import TeamRules
from bot.settings import load_settings
from sandbox.harness import MemberSpec, Sandbox, quiet_discord_logs

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config.toml"
START = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)  # before the team deadline of config.toml
BENCH_DB = "hackbot_bench"
PASS, FAIL, NA = "pass", "FAIL", "n/a"

log = logging.getLogger(__name__)


# -- statistics -----------------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Summary:
    count: int
    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        return cls(
            len(values),
            percentile(values, 50),
            percentile(values, 95),
            max(values) if values else math.nan,
        )


def ms(value: float) -> str:
    """A duration in milliseconds, as a table cell."""
    if math.isnan(value):
        return "—"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


# -- results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """One figure held against its target, for the summary at the top of the page."""

    what: str
    figure: str
    target: str
    verdict: str


@dataclass
class Section:
    """One benchmark's part of the page."""

    title: str
    method: str
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    seconds: float = 0.0


def verdict(ok: bool | None) -> str:
    return NA if ok is None else PASS if ok else FAIL


# -- databases ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Backend:
    """A database to run on: SQLite files in a work directory, or the bench PostgreSQL."""

    name: str
    url: str | None  # PostgreSQL URL; None for SQLite (a fresh file per use)
    unavailable: str | None = None

    @property
    def available(self) -> bool:
        return self.unavailable is None

    def fresh_url(self, workdir: Path, label: str) -> str:
        if self.url is None:
            return f"sqlite+aiosqlite:///{workdir / f'{label}.db'}"
        return self.url


def sqlite_backend() -> Backend:
    return Backend("SQLite", None)


def _pg_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin")):
        if (candidate / "createdb").exists():
            return candidate
    return None


BENCH_PGROOT = "/tmp/hackbot-pg-bench"
BENCH_PGPORT = "54339"


def postgres_backend() -> Backend:
    """``BENCH_DATABASE_URL``, or a server of its own started by ``scripts/postgres.sh``.

    The suite's server (port 54329) and its ``hackbot_test`` database are never touched: the
    benchmarks run their own throwaway server (``/tmp/hackbot-pg-bench``, port 54339) and use
    the ``hackbot_bench`` database in it.
    """
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        env = {**os.environ, "PGROOT": BENCH_PGROOT, "PGPORT": BENCH_PGPORT}
        try:
            started = subprocess.run(
                [str(ROOT / "scripts" / "postgres.sh"), "start"],
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
                env=env,
            )
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or "").strip().splitlines()[-1:] or [str(exc)]
            return Backend("PostgreSQL", None, f"PostgreSQL could not be started: {detail[0]}")
        except (OSError, subprocess.SubprocessError) as exc:
            return Backend("PostgreSQL", None, f"PostgreSQL could not be started ({exc})")
        lines = started.stdout.strip().splitlines()
        if not lines:
            return Backend("PostgreSQL", None, "scripts/postgres.sh printed no URL")
        base = make_url(lines[-1])
        url = base.set(database=BENCH_DB).render_as_string(hide_password=False)
        reason = _create_database(base.host or "127.0.0.1", base.port or 5432, base.username)
        if reason:
            return Backend("PostgreSQL", None, reason)
    return Backend("PostgreSQL", url)


def stop_postgres() -> None:
    """Stop the benchmarks' own server (never the suite's, never ``BENCH_DATABASE_URL``'s)."""
    if os.environ.get("BENCH_DATABASE_URL"):
        return
    env = {**os.environ, "PGROOT": BENCH_PGROOT, "PGPORT": BENCH_PGPORT}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            [str(ROOT / "scripts" / "postgres.sh"), "stop"],
            capture_output=True,
            timeout=60,
            check=False,
            env=env,
        )


def _create_database(host: str, port: int, user: str | None) -> str | None:
    bin_dir = _pg_bin()
    if bin_dir is None:
        return "the PostgreSQL client programs were not found"
    common = ["-h", host, "-p", str(port), "-U", user or "hackbot"]
    exists = subprocess.run(
        [str(bin_dir / "psql"), *common, "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{BENCH_DB}'"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    if exists.returncode != 0:
        return f"psql failed: {exists.stderr.strip()}"
    if exists.stdout.strip() == "1":
        return None
    created = subprocess.run(
        [str(bin_dir / "createdb"), *common, BENCH_DB],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return None if created.returncode == 0 else f"createdb failed: {created.stderr.strip()}"


async def reset_postgres(url: str) -> None:
    """An empty ``public`` schema (the migrations then build everything)."""
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


async def prepare(backend: Backend, workdir: Path, label: str) -> str:
    """A URL to an empty database on ``backend``."""
    url = backend.fresh_url(workdir, label)
    if backend.url is not None:
        await reset_postgres(url)
    return url


def team_rules() -> TeamRules:
    return TeamRules.from_settings(load_settings(CONFIG, env={}).config)


# -- sandboxes ------------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def running_sandbox(
    db_url: str,
    workdir: Path,
    *,
    rate_limits: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> AsyncIterator[Sandbox]:
    """The real bot against the local Discord, Hub and Calendar, on ``db_url``, with
    ``overrides`` over config.toml. The local Discord enforces Discord's rate limits unless
    ``rate_limits`` is False (say why)."""
    with quiet_discord_logs():
        sandbox = Sandbox(
            CONFIG, clock=ManualClock(START), db_url=db_url, workdir=workdir, overrides=overrides
        )
        sandbox.discord.ratelimits.enabled = rate_limits
        try:
            await sandbox.start()
            yield sandbox
        finally:
            await sandbox.close()


async def add_participants(sandbox: Sandbox, handles: Sequence[str]) -> None:
    for handle in handles:
        sandbox.add_member(handle, MemberSpec(roles=("participant",)))
    await sandbox.settle()


# -- timing and the machine -----------------------------------------------------------------
@contextlib.contextmanager
def sandbox_gc_paused() -> Iterator[None]:
    """Keep the benchmark process's own garbage collection out of a measured window: its heap
    (the local Discord, and what earlier sections left) is collected and frozen first, so a
    full collection during the burst scans only what the burst creates. Without it, full
    collections of 150 to 340 ms landed inside most bursts of a whole `make bench`, delaying
    the local Discord's dispatches and reads at random, the floor's as much as the bot's."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def stopwatch() -> Iterator[list[float]]:
    """``with stopwatch() as took:`` then ``took[0]`` holds the seconds elapsed."""
    took: list[float] = []
    start = time.perf_counter()
    try:
        yield took
    finally:
        took.append(time.perf_counter() - start)


def loop_speed(iterations: int = 5_000_000, runs: int = 3) -> float:
    """CPU seconds of the fastest of ``runs`` pure-Python loops of ``iterations`` additions:
    hosts sold under one CPU name differ by 2x, so runs on different days compare only with
    this beside them."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        total = 0
        for i in range(iterations):
            total += i
        best = min(best, time.process_time() - started)
    return best


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    return {
        "CPU": cpu,
        "cores (nproc)": str(len(os.sched_getaffinity(0))),
        "memory": memory,
        "Python": platform.python_version(),
        "Python speed": f"{loop_speed():.2f} s of CPU for 5 million loop additions (lower is "
        "faster; compare figures of different runs with this)",
        "system": f"{platform.system()} {platform.release()}",
    }
