"""The console command, run as a member of the team would: a real subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import CONFIG, ROOT


def hackbot(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_check_config_accepts_shipped_config() -> None:
    result = hackbot("check-config", str(CONFIG))
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_check_config_names_bad_key(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text(
        CONFIG.read_text().replace("max_size = 5", "max_size = 0") + "\n[teams2]\nx = 1\n"
    )
    result = hackbot("check-config", str(bad))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert f"{bad}: teams.max_size must be 1..25, got 0" in lines
    assert f"{bad}: teams2 is not a known key" in lines


def test_run_without_token_exits_2_with_one_line() -> None:
    result = hackbot("run", "--config", str(CONFIG))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "DISCORD_TOKEN" in result.stderr


def test_db_upgrade_creates_schema_on_empty_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    result = hackbot(
        "db",
        "upgrade",
        "--config",
        str(CONFIG),
        env={"DATABASE_URL": f"sqlite+aiosqlite:///{path}"},
    )
    assert result.returncode == 0, result.stderr
    tables = {
        row[0]
        for row in sqlite3.connect(path).execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert {"teams", "team_members", "job_runs", "alembic_version"} <= tables


def test_health_is_unhealthy_without_heartbeat(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    assert (
        hackbot("db", "upgrade", "--config", str(CONFIG), env={"DATABASE_URL": url}).returncode == 0
    )
    result = hackbot("health", "--config", str(CONFIG), env={"DATABASE_URL": url})
    assert result.returncode == 1
    assert "never" in result.stderr


def test_health_is_healthy_after_a_recent_heartbeat(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    url = f"sqlite+aiosqlite:///{path}"
    assert (
        hackbot("db", "upgrade", "--config", str(CONFIG), env={"DATABASE_URL": url}).returncode == 0
    )
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO job_runs (job_id, last_started_at, last_finished_at, last_outcome,"
            " runs, failures) VALUES ('heartbeat', ?, ?, 'ok', 1, 0)",
            (now, now),
        )
    result = hackbot("health", "--config", str(CONFIG), env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "healthy" in result.stdout
