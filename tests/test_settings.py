from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.settings import ConfigError, Secrets, load_config, load_settings, redact_url
from tests.conftest import CONFIG


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    return path


def test_shipped_config_is_valid_and_in_utc() -> None:
    config = load_config(CONFIG)
    assert config.event.hub_organization == "somosnlp"
    assert config.event.submission_deadline == datetime(2024, 4, 11, 11, 59, tzinfo=UTC)
    assert (config.teams.min_size, config.teams.max_size) == (1, 5)
    assert config.teams.invitation_ttl == timedelta(hours=48)


def test_out_of_range_value_names_file_key_and_range() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIG, {"teams": {"max_size": 0}})
    assert caught.value.problems == [f"{CONFIG}: teams.max_size must be 1..25, got 0"]


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[extra]\nfoo = 1\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [f"{path}: extra is not a known key"]


def test_every_problem_gets_its_own_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(
            CONFIG, {"teams": {"min_size": 0, "colour": "red"}, "talks": {"sync_every": "soon"}}
        )
    problems = caught.value.problems
    assert len(problems) == 3
    assert any("teams.colour is not a known key" in p for p in problems)
    assert any("talks.sync_every" in p and "not a duration" in p for p in problems)


def test_naive_deadline_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIG, {"event": {"submission_deadline": "2024-04-10T23:59:00"}})
    assert "event.submission_deadline" in caught.value.problems[0]
    assert "UTC offset" in caught.value.problems[0]


def test_min_size_above_max_size_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIG, {"teams": {"min_size": 4, "max_size": 3}})
    assert "min_size must not exceed max_size" in caught.value.problems[0]


def test_secrets_come_from_environment_and_never_print() -> None:
    secrets = Secrets.from_env(
        {
            "DISCORD_TOKEN": "tok",
            "DATABASE_URL": "postgresql+asyncpg://u:pw@h/db",
            "LOG_LEVEL": "debug",
        }
    )
    assert secrets.discord_token == "tok"
    assert secrets.log_level == "DEBUG"
    assert "tok" not in repr(secrets) and "pw" not in str(secrets)
    assert redact_url(secrets.database_url) == "postgresql+asyncpg://u:***@h/db"


def test_database_defaults_to_sqlite() -> None:
    assert load_settings(CONFIG, env={}).secrets.database_url.startswith("sqlite+aiosqlite:///")
