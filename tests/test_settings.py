from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Config, ConfigError, Secrets, load_config, load_settings, redact_url
from tests.conftest import CONFIG, ROOT


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
    assert caught.value.problems == [
        f"{path}: extra is not a known key; the keys of the top level are event, discord, "
        "roles, channels, teams, registration, mentors, talks, submissions, leaderboard, "
        "announcements, "
        "scheduler"
    ]


def test_every_problem_gets_its_own_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(
            CONFIG, {"teams": {"min_size": 0, "colour": "red"}, "talks": {"sync_every": "soon"}}
        )
    problems = caught.value.problems
    assert len(problems) == 3
    assert any("teams.colour is not a known key" in p for p in problems)
    assert any("talks.sync_every" in p and "must be a duration" in p for p in problems)


def test_naive_deadline_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIG, {"event": {"submission_deadline": "2024-04-10T23:59:00"}})
    assert "event.submission_deadline" in caught.value.problems[0]
    assert "UTC offset" in caught.value.problems[0]


def test_min_size_above_max_size_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIG, {"teams": {"min_size": 4, "max_size": 3}})
    assert caught.value.problems == [
        f"{CONFIG}: teams.min_size (4) must not exceed teams.max_size (3)"
    ]


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


# -- what breaks the event is refused: one line each, naming file, key and what is allowed ------


def problems_of(overrides: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIG, overrides)
    return caught.value.problems


@pytest.mark.parametrize(
    ("roles", "first", "second"),
    [
        ({"mentor": "organizacion"}, "mentor", "organizer"),
        ({"participant": "mentor"}, "participant", "mentor"),
        ({"participant": 42, "organizer": 42}, "participant", "organizer"),
    ],
)
def test_one_role_for_two_keys_is_refused(roles: dict[str, Any], first: str, second: str) -> None:
    [problem] = problems_of({"roles": roles})
    assert problem.startswith(f"{CONFIG}: roles.{first} and roles.{second} are both ")
    assert "each must be a different Discord role" in problem


def test_unknown_time_zone_is_refused_and_the_zone_is_exposed() -> None:
    assert problems_of({"event": {"timezone": "Europe/Madird"}}) == [
        f"{CONFIG}: event.timezone: is not a known IANA time zone; use a name such as "
        '"Europe/Madrid", "America/Mexico_City" or "UTC", got "Europe/Madird"'
    ]
    [empty] = problems_of({"event": {"timezone": ""}})
    assert "event.timezone" in empty and "IANA" in empty
    config = load_config(CONFIG, {"event": {"timezone": "America/Mexico_City"}})
    assert config.event.zone == ZoneInfo("America/Mexico_City")
    assert load_config(CONFIG).event.zone.key == "Europe/Madrid"


@pytest.mark.parametrize("value", ["", "   ", 0, -5, True, 1.5, "x" * 101])
def test_channel_must_be_a_name_or_a_positive_id(value: Any) -> None:
    [problem] = problems_of({"channels": {"teams": value}})
    assert problem.startswith(f"{CONFIG}: channels.teams: must be a name (1 to 100 characters)")


def test_a_numeric_id_is_still_accepted() -> None:
    config = load_config(CONFIG, {"channels": {"teams": 1234567890123456789}})
    assert config.channels.teams == 1234567890123456789


@pytest.mark.parametrize("value", ["0s", "0d0h", "0m"])
def test_zero_duration_is_refused(value: str) -> None:
    [problem] = problems_of({"teams": {"invitation_ttl": value}})
    assert problem.startswith(f"{CONFIG}: teams.invitation_ttl: must be longer than zero")
    assert problem.endswith(f'got "{value}"')


@pytest.mark.parametrize("value", ["-5m", "soon", 3600, True])
def test_duration_must_be_written_as_one(value: Any) -> None:
    [problem] = problems_of({"scheduler": {"tick": value}})
    assert problem.startswith(f"{CONFIG}: scheduler.tick: must be a duration")
    assert '"90s", "10m", "48h", "2d"' in problem


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("teams", "max_size", True, "teams.max_size: must be a whole number, got true"),
        ("teams", "max_size", "5", 'teams.max_size: must be a whole number, got "5"'),
        ("teams", "list_page_size", 5.0, "teams.list_page_size: must be a whole number, got 5.0"),
        (
            "talks",
            "discord_events",
            "yes",
            'talks.discord_events: must be true or false, got "yes"',
        ),
        (
            "announcements",
            "messages_per_second",
            False,
            "announcements.messages_per_second: must be a number, got false",
        ),
    ],
)
def test_values_are_strict(section: str, key: str, value: Any, expected: str) -> None:
    assert problems_of({section: {key: value}}) == [f"{CONFIG}: {expected}"]


def test_a_whole_number_passes_as_a_float() -> None:
    config = load_config(CONFIG, {"announcements": {"messages_per_second": 3}})
    assert config.announcements.messages_per_second == 3


@pytest.mark.parametrize(
    ("tags", "first", "second"),
    [
        ({"tag_full": "buscamos gente"}, "tag_recruiting", "tag_full"),
        ({"tag_looking": "completo"}, "tag_full", "tag_looking"),
    ],
)
def test_identical_forum_tags_are_refused(tags: dict[str, str], first: str, second: str) -> None:
    [problem] = problems_of({"teams": tags})
    assert problem.startswith(f"{CONFIG}: teams.{first} and teams.{second} are both ")
    assert "each forum tag must have its own name" in problem


def test_the_team_forum_is_not_the_teams_channel() -> None:
    [problem] = problems_of({"channels": {"team_forum": "equipos"}})
    assert problem.startswith(f"{CONFIG}: channels.teams and channels.team_forum are both ")


def test_unknown_key_lists_the_close_matches() -> None:
    assert problems_of({"teams": {"max_sise": 3}}) == [
        f"{CONFIG}: teams.max_sise is not a known key; did you mean teams.max_size or "
        "teams.min_size?"
    ]
    assert problems_of({"event": {"time_zone": "UTC"}}) == [
        f"{CONFIG}: event.time_zone is not a known key; did you mean event.timezone?"
    ]


def test_a_value_where_a_table_belongs_is_named() -> None:
    assert problems_of({"teams": 5}) == [f"{CONFIG}: teams must be a table ([teams]), got 5"]


def test_deadline_order_names_its_keys() -> None:
    [problem] = problems_of({"event": {"team_deadline": "2024-05-01T00:00:00+00:00"}})
    assert problem == (
        f"{CONFIG}: event.team_deadline (2024-05-01T00:00:00+00:00) is after "
        "event.submission_deadline (2024-04-11T11:59:00+00:00); "
        "event.starts_at <= event.team_deadline <= event.submission_deadline must hold"
    )
    [early] = problems_of({"event": {"starts_at": "2024-04-02T00:00:00Z"}})
    assert early.startswith(f"{CONFIG}: event.starts_at (2024-04-02T00:00:00+00:00) is after ")


def test_several_problems_each_get_their_line() -> None:
    problems = problems_of(
        {
            "roles": {"mentor": "organizacion"},
            "teams": {"max_size": True, "invitation_ttl": "0s"},
            "channels": {"mentors": ""},
        }
    )
    assert len(problems) == 4
    assert all(p.startswith(f"{CONFIG}: ") and "\n" not in p for p in problems)


# -- the file itself ---------------------------------------------------------------------------


def test_missing_file_and_directory_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml")
    assert caught.value.problems == [f"{tmp_path / 'nope.toml'}: file not found"]
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.problems == [
        f"{tmp_path}: is a directory; give the path of a config.toml file"
    ]


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    text = CONFIG.read_text(encoding="utf-8").replace("Hackathon SomosNLP", "Hackatón SomosNLP")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    line = 1 + text[: text.index("Hackatón")].count("\n")
    assert caught.value.problems == [
        f"{path}: line {line}: not UTF-8 text (byte 0xf3); save it as UTF-8"
    ]


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG.read_text(encoding="utf-8"), encoding="utf-16")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [f"{path}: is UTF-16 text; save it as UTF-8"]


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf" + CONFIG.read_bytes())
    assert load_config(path) == load_config(CONFIG)


def test_unknown_log_level_is_a_config_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(CONFIG, env={"LOG_LEVEL": "verbose"})
    assert caught.value.problems == [
        "LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'VERBOSE'"
    ]


# -- docs/configuration.md lists every key and every check --------------------------------------


def every_key(model: Any = Config, prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        if hasattr(field.annotation, "model_fields"):
            keys += every_key(field.annotation, f"{prefix}{name}.")
        else:
            keys.append(prefix + name)
    return keys


def test_configuration_page_lists_every_key_and_check() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [key for key in every_key() if f"`{key}`" not in page]
    assert missing == [], f"docs/configuration.md does not list {missing}"
    for check in (
        "is a directory",
        "not UTF-8",
        "byte order mark",
        "UTF-16",
        "not valid TOML",
        "is not a known key",
        "did you mean",
        "is required",
        "must be a table",
        "whole number",
        "true or false",
        "longer than zero",
        "UTC offset",
        "IANA",
        "event.starts_at <= event.team_deadline <= event.submission_deadline",
        "a different Discord role",
        "its own name",
        "LOG_LEVEL",
    ):
        assert check in page, f"docs/configuration.md does not describe the check {check!r}"


def test_the_demo_rehearses_the_projects_own_event() -> None:
    """`hackbot demo` ships its own copy of the event (so it runs from any directory); it must
    stay the event config.toml describes."""
    shipped = load_config(ROOT / "sandbox" / "demo" / "config.toml")
    assert shipped == load_config(CONFIG)
