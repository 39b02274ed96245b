"""The console command, run as a member of the team would: a real subprocess."""

from __future__ import annotations

import os
import socket
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
    assert f"{bad}: teams2 is not a known key; did you mean teams?" in lines


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


def one_line_failure(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """The failure is the last line of stderr, the only one of its kind, with no traceback."""
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    for needle in needles:
        assert needle in line, line
    return line


def test_check_config_on_what_is_not_a_config_file(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(
        CONFIG.read_text(encoding="utf-8").replace("SomosNLP", "Ñ").encode("latin-1")
    )
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + CONFIG.read_bytes())
    for path, expected in (
        (tmp_path, "is a directory"),
        (tmp_path / "missing.toml", "file not found"),
        (latin1, "not UTF-8 text (byte 0xd1); save it as UTF-8"),
    ):
        result = hackbot("check-config", str(path))
        assert result.stderr.strip().splitlines() == [
            one_line_failure(result, 2, f"{path}: ", expected)
        ]
    accepted = hackbot("check-config", str(bom))
    assert accepted.returncode == 0, accepted.stderr
    assert "time zone Europe/Madrid" in accepted.stdout


def test_check_config_reports_what_breaks_the_event(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    text = CONFIG.read_text(encoding="utf-8")
    for old, new in (
        ('mentor = "mentor"', 'mentor = "organizacion"'),
        ('timezone = "Europe/Madrid"', 'timezone = "Madrid"'),
        ('announcements = "anuncios"', 'announcements = ""'),
        ('invitation_ttl = "48h"', 'invitation_ttl = "0s"'),
        ("max_size = 5", "max_size = true"),
        ('tag_full = "completo"', 'tag_full = "buscamos gente"'),
    ):
        assert old in text
        text = text.replace(old, new)
    bad.write_text(text, encoding="utf-8")
    result = hackbot("check-config", str(bad))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    keys = [
        "event.timezone",
        "roles.mentor and roles.organizer",
        "channels.announcements",
        "teams.max_size",
        "teams.invitation_ttl",
    ]
    named = [next((k for k in keys if line.startswith(f"{bad}: {k}")), line) for line in lines]
    assert sorted(named) == sorted(keys)  # each problem on its own line, naming file and key
    # The tags are checked across keys once [teams]'s own values are right.
    bad.write_text(text.replace("max_size = true", "max_size = 5").replace('"0s"', '"1h"'))
    assert (
        hackbot("check-config", str(bad))
        .stderr.strip()
        .splitlines()[-1]
        .startswith(f"{bad}: teams.tag_recruiting and teams.tag_full are both")
    )


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_health_without_a_database_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "hackbot.db"
    result = hackbot(
        "health", "--config", str(CONFIG), env={"DATABASE_URL": f"sqlite+aiosqlite:///{missing}"}
    )
    one_line_failure(result, 1, "unhealthy: no SQLite database at", str(missing))
    assert not missing.parent.exists()


def test_health_with_an_empty_database_says_to_upgrade(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    result = hackbot(
        "health", "--config", str(CONFIG), env={"DATABASE_URL": f"sqlite+aiosqlite:///{empty}"}
    )
    one_line_failure(result, 1, "unhealthy: ", "has no hackbot tables", "hackbot db upgrade")


def test_unreachable_postgresql_is_one_line_for_each_command() -> None:
    url = f"postgresql+asyncpg://hackbot:secret@127.0.0.1:{closed_port()}/hackbot"
    env = {"DATABASE_URL": url, "DISCORD_TOKEN": "not-used"}
    expected = ("cannot connect to PostgreSQL at 127.0.0.1:", "connection refused")
    upgrade = hackbot("db", "upgrade", "--config", str(CONFIG), env=env)
    one_line_failure(upgrade, 3, "hackbot: ", *expected)
    run = hackbot("run", "--config", str(CONFIG), env=env)
    one_line_failure(run, 3, "hackbot: ", *expected)
    health = hackbot("health", "--config", str(CONFIG), env=env)
    one_line_failure(health, 1, "unhealthy: ", *expected)
    assert "secret" not in upgrade.stderr + run.stderr + health.stderr


def test_sqlite_file_whose_folder_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{blocker / 'hackbot.db'}", "DISCORD_TOKEN": "x"}
    for args in (("db", "upgrade"), ("run",)):
        result = hackbot(*args, "--config", str(CONFIG), env=env)
        one_line_failure(result, 3, "cannot create the folder", f"({blocker} is a file)")


def test_database_url_of_another_kind_is_refused_in_one_line() -> None:
    for url in ("postgres://u@h/db", "postgresql://u@h/db", "mysql+aiomysql://u@h/db", "nonsense"):
        result = hackbot("db", "upgrade", "--config", str(CONFIG), env={"DATABASE_URL": url})
        one_line_failure(result, 3, "postgresql+asyncpg://user:password@host/database")
