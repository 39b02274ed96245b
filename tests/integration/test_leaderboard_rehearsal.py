"""A rehearsal with a leaderboard: the state line counts the posts, and the chart the bot
attached is saved where the readable transcript says."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from tests.sandbox.test_rehearse import lines, rehearse

SCENARIO = """
[settings.leaderboard.progress]
enabled = true
cron = "0 12 * * *"

[[steps]]
as = "ana"
run = "team create"
options = { name = "Los Tigres" }

[[steps]]
advance = "3h"
"""


def test_the_transcript_says_where_the_chart_was_saved(tmp_path: Path) -> None:
    result = rehearse(tmp_path, SCENARIO)

    assert result.returncode == 0, result.stderr
    [saved] = re.findall(r"\(file saved as (.+leaderboard\.png)\)", result.stdout)
    image = Image.open(saved)
    assert image.format == "PNG" and image.size[0] == 1080
    assert "leaderboard posts: 1" in result.stdout


def test_the_state_line_counts_leaderboard_posts(tmp_path: Path) -> None:
    result = rehearse(tmp_path, SCENARIO + '\n[[steps]]\nadvance = "1d"\n', "--json")

    assert result.returncode == 0, result.stderr
    steps = lines(result)
    assert steps[1]["effects"][0]["files"] == ["leaderboard.png"]  # type: ignore[index]
    assert steps[-1]["state"]["leaderboard_posts"] == 2  # type: ignore[index]
