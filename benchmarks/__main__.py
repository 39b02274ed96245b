"""``python -m benchmarks``: run every benchmark and write docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections.abc import Callable

from benchmarks import ack, burst, demo, fanout, memory, mixed, ready
from benchmarks import leaderboard as leaderboards
from benchmarks import submissions as submissions_bench
from benchmarks import teams_formation as formation
from benchmarks.common import (
    ROOT,
    Backend,
    Section,
    machine,
    postgres_backend,
    sqlite_backend,
    stop_postgres,
    stopwatch,
)
from benchmarks.report import render

DOC = ROOT / "docs" / "benchmarks.md"


def _attempt(
    name: str, run: Callable[[], Section], sections: list[Section], failures: list[str]
) -> None:
    print(f"• {name} ...", file=sys.stderr, flush=True)
    try:
        section = run()
    except Exception as exc:  # a broken benchmark must not hide the others' figures
        traceback.print_exc()
        failures.append(f"{name}: {type(exc).__name__}: {exc}")
        return
    sections.append(section)
    for verdict in section.verdicts:
        line = f"{verdict.verdict:4}  {verdict.what}: {verdict.figure} (target {verdict.target})"
        print(f"    {line}", file=sys.stderr)
    print(f"    ({section.seconds:.1f} s)", file=sys.stderr, flush=True)


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sections: list[Section] = []
    failures: list[str] = []
    with stopwatch() as took:
        print("• starting PostgreSQL ...", file=sys.stderr, flush=True)
        backends: list[Backend] = [sqlite_backend(), postgres_backend()]
        if not backends[1].available:
            print(f"    {backends[1].unavailable}", file=sys.stderr)
        try:
            runs: list[tuple[str, Callable[[], Section]]] = [
                ("command acknowledgement", lambda: asyncio.run(ack.run(backends))),
                ("autocomplete", lambda: asyncio.run(formation.run_autocomplete(backends))),
                ("team formation", lambda: asyncio.run(formation.run_formation(backends))),
                ("leaderboard at 1,000 teams", lambda: asyncio.run(leaderboards.run(backends))),
                ("start-up on a large server", lambda: asyncio.run(ready.run())),
                ("bursts under rate limits", lambda: asyncio.run(burst.run())),
                ("mixed burst against the floor", lambda: asyncio.run(mixed.run(backends))),
                ("talk reminder fan-out", lambda: asyncio.run(fanout.run())),
                ("submissions", lambda: asyncio.run(submissions_bench.run())),
                ("memory at event scale", lambda: asyncio.run(memory.run())),
                ("hackbot demo", demo.run),
            ]
            for name, run in runs:
                _attempt(name, run, sections, failures)
        finally:
            if backends[1].available:
                stop_postgres()
    DOC.write_text(render(sections, machine(), took[0], failures), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)} ({took[0]:.0f} s)", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
