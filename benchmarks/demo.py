"""``hackbot demo`` end to end: a fresh process rehearsing the scripted demo day."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.common import ROOT, Section, Verdict, stopwatch, verdict

DEMO_LIMIT_S = 60.0
TIMEOUT_S = 150.0


def _command() -> list[str]:
    script = Path(sys.executable).parent / "hackbot"
    if script.exists():
        return [str(script), "demo"]
    found = shutil.which("hackbot")
    return [found, "demo"] if found else [sys.executable, "-m", "bot.cli", "demo"]


def run() -> Section:
    section = Section(
        title="hackbot demo",
        method=(
            "`hackbot demo` in a subprocess from the repository root, timed from launch to exit "
            "(interpreter start-up, imports, sandbox, migrations, every scripted step)."
        ),
        headers=["run", "wall s", "exit code", "steps reporting an error"],
    )
    with stopwatch() as took:
        try:
            done = subprocess.run(
                _command(), capture_output=True, text=True, timeout=TIMEOUT_S, cwd=ROOT, check=False
            )
            code: int | None = done.returncode
            errors = sum(
                1 for line in done.stdout.splitlines() if line.strip().startswith("! error")
            )
        except subprocess.TimeoutExpired:
            code, errors = None, 0
    wall = took[0]
    section.rows.append(
        ["hackbot demo", f"{wall:.2f}", "timed out" if code is None else str(code), str(errors)]
    )
    if code is None:
        section.notes.append(f"The demo was stopped after {TIMEOUT_S:.0f} s.")
    elif code != 0:
        section.notes.append(
            f"The demo exited with {code}: {errors} of its steps reported an error (the "
            "rehearsal's own check, not a timing problem). Run `make demo` to read them."
        )
    section.verdicts += [
        Verdict("`hackbot demo` wall time", f"{wall:.1f} s", f"< {DEMO_LIMIT_S:.0f} s",
                verdict(code is not None and wall < DEMO_LIMIT_S)),
        Verdict("`hackbot demo` exits cleanly", "yes" if code == 0 else "no", "yes",
                verdict(code == 0)),
    ]  # fmt: skip
    section.seconds = wall
    return section
