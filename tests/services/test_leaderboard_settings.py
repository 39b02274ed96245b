"""`[leaderboard]` of config.toml: boards ship off, crons are checked when the file is read."""

from __future__ import annotations

import pytest

from bot.settings import ConfigError, load_config
from tests.conftest import CONFIG


def test_the_shipped_event_posts_no_board_until_the_organizers_enable_one() -> None:
    config = load_config(CONFIG)
    assert config.leaderboard.enabled_boards() == []
    enabled = load_config(CONFIG, {"leaderboard": {"likes": {"enabled": True}}})
    assert enabled.leaderboard.enabled_boards() == ["likes"]


def test_a_bad_cron_is_a_config_problem_naming_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIG, {"leaderboard": {"progress": {"cron": "every day"}}})
    [problem] = caught.value.problems
    assert problem.startswith(f"{CONFIG}: leaderboard.progress.cron")
    assert "crontab" in problem


def test_top_n_stays_within_what_an_embed_holds() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(CONFIG, {"leaderboard": {"top_n": 26}})
    assert caught.value.problems == [f"{CONFIG}: leaderboard.top_n must be 1..25, got 26"]
