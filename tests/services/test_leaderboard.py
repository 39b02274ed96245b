"""Leaderboards on a real database: ranking with ties, each board's figures, the card within
Discord's limits whatever the number of entries, hostile names, arrows, and the claim that
keeps a board from being posted twice for one scheduled time."""

from __future__ import annotations

import asyncio
import faulthandler
import io
import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.db import Database
from bot.i18n import catalogs
from bot.services.leaderboard import Entry, chart, posts, rank
from bot.services.leaderboard.boards import (
    Board,
    RepoStats,
    countries_board,
    evaluation_board,
    likes_board,
    progress_board,
    teams_with_submissions,
)
from bot.services.leaderboard.card import (
    DESCRIPTION_MAX,
    FIELD_VALUE_MAX,
    TOTAL_MAX,
    arrow,
    make_card,
)
from bot.services.leaderboard.chart import drawable
from bot.services.leaderboard.hub_data import (
    average_score,
    evaluated_revision,
    for_commit,
    results_files,
)
from tests.integration.leaderboard_support import add_profile, insert, many_teams

NOW = datetime(2024, 3, 20, 18, 0, tzinfo=UTC)
HOSTILE = "**@everyone** _x_ `y` $\\alpha$ <@123> 🐯🚀 مرحبا ||spoiler|| " + "z" * 60


def test_ties_share_a_place_and_the_next_place_skips() -> None:
    board = rank(
        "likes",
        [
            Entry("a", "Alfa", (5.0, 1.0)),
            Entry("b", "Beta", (7.0, 0.0)),
            Entry("c", "Gamma", (5.0, 1.0)),
            Entry("d", "Delta", (5.0, 0.0)),
            Entry("e", "Épsilon", None),
        ],
    )
    assert [(r.place, r.entry.key) for r in board.rows] == [
        (1, "b"),
        (2, "a"),
        (2, "c"),
        (4, "d"),
        (None, "e"),
    ]
    assert board.places() == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_arrows_show_places_gained_and_lost_and_newcomers() -> None:
    before = {"a": 3, "b": 1, "c": 2}
    assert arrow("a", 1, before) == "▲2"
    assert arrow("b", 3, before) == "▼2"
    assert arrow("c", 2, before) == "＝"
    assert arrow("d", 4, before) == "🆕"
    assert arrow("a", 1, None) == ""  # first post of the board: nothing to compare


async def test_likes_downloads_break_ties_and_teams_without_repos_are_left_out(
    db: Database,
) -> None:
    await insert(
        db,
        (1, "Uno", {"repos": {"model": "o/m1", "dataset": "o/d1"}}),
        (2, "Dos", {"repos": {"model": "o/m2"}}),
        (3, "Tres", {"repos": {"model": "o/m3"}}),
        (4, "Sin entrega", {}),
    )
    async with db.read() as session:
        teams = await teams_with_submissions(session, all_teams=False)
    stats = {
        ("model", "o/m1"): RepoStats(3, 10),
        ("dataset", "o/d1"): RepoStats(2, 5),  # Uno: 5 likes, 15 downloads
        ("model", "o/m2"): RepoStats(5, 15),  # Dos: 5 likes, 15 downloads: tied with Uno
        ("model", "o/m3"): RepoStats(5, 20),  # Tres: 5 likes, more downloads
    }
    board = likes_board(teams, stats)
    assert [(r.place, r.entry.name) for r in board.rows] == [(1, "Tres"), (2, "Dos"), (2, "Uno")]


async def test_progress_ranks_every_team_by_the_share_of_checks_passed(db: Database) -> None:
    await insert(
        db,
        (1, "Mitad", {"repos": {"model": "o/a"}, "checks": {"a": "passed", "b": "failed"}}),
        (2, "Todo", {"repos": {"model": "o/b"}, "checks": {"a": "passed", "b": "passed"}}),
        (3, "Aviso", {"repos": {"model": "o/c"}, "checks": {"a": "passed", "b": "warned"}}),
        (4, "Nada", {}),
    )
    async with db.read() as session:
        board = progress_board(await teams_with_submissions(session, all_teams=True))
    assert [(r.place, r.entry.name) for r in board.rows] == [
        (1, "Todo"),
        (2, "Aviso"),
        (2, "Mitad"),
        (4, "Nada"),
    ]


async def test_zero_teams_make_empty_boards(db: Database) -> None:
    async with db.read() as session:
        teams = await teams_with_submissions(session, all_teams=True)
        assert progress_board(teams).rows == ()
        assert likes_board(teams, {}).rows == ()
        assert (await countries_board(session)).rows == ()
    card = await make_card(progress_board([]), catalogs(), "es-ES", 10, None)
    assert card.description == catalogs().t("es-ES", "leaderboard.empty.progress")
    assert card.fields == ()
    assert Image.open(io.BytesIO(card.image or b"")).format == "PNG"


async def test_countries_count_participants_and_their_teams(db: Database) -> None:
    await insert(
        db,
        (1, "A", {"members": [1, 2]}),
        (2, "B", {"members": [3]}),
        (3, "C", {"members": [4]}),
    )
    async with db.transaction() as session:
        for user_id, country in [(1, "ES"), (2, "ES"), (3, "MX"), (4, "ES"), (5, "MX"), (6, None)]:
            add_profile(session, user_id, country)
    async with db.read() as session:
        board = await countries_board(session)
    assert [(r.place, r.entry.name, r.entry.detail) for r in board.rows] == [
        (1, "ES", {"participants": 3, "teams": 2}),
        (2, "MX", {"participants": 2, "teams": 1}),
    ]
    card = await make_card(board, catalogs(), "es-ES", 10, None)
    assert "🇪🇸 España" in card.description and "🇲🇽 México" in card.description
    english = await make_card(board, catalogs(), "en-US", 10, None)
    assert "Spain" in english.description and "Mexico" in english.description


def test_evaluation_averages_the_configured_tasks_once_each() -> None:
    results = {
        "results": {
            "xnli_es": {"acc,none": 0.5, "acc_stderr,none": 0.01},
            "belebele_es": {"acc_norm,none": 0.7},
            "group_es": {"acc,none": 0.9},  # a group's own entry: not configured, not counted
        }
    }
    tasks = {"xnli_es": "acc,none", "belebele_es": "acc_norm,none", "missing": "acc,none"}
    assert average_score(results, tasks) == pytest.approx(0.6)
    assert average_score({"results": {}}, tasks) is None
    assert average_score({}, tasks) is None
    paths = [
        "org/model-a/results_2024-03-01.json",
        "org/model-a/results_2024-03-05.json",
        "org/model-ab/results_2024-03-05.json",
        "results_org__model-a_2024.json",
        "org/model-a/README.md",
    ]
    assert results_files(paths, "org/model-a") == [
        "org/model-a/results_2024-03-01.json",
        "org/model-a/results_2024-03-05.json",
        "results_org__model-a_2024.json",
    ]


async def test_evaluation_lists_models_without_results_as_pending(db: Database) -> None:
    await insert(
        db,
        (1, "Uno", {"repos": {"model": "o/m1"}}),
        (2, "Dos", {"repos": {"model": "o/m2", "dataset": "o/d2"}}),
        (3, "Tres", {"repos": {"dataset": "o/d3"}}),
    )
    async with db.read() as session:
        teams = await teams_with_submissions(session, all_teams=False)
    board = evaluation_board(teams, {"o/m1": 0.41, "o/m2": None})
    assert [(r.place, r.entry.name) for r in board.rows] == [(1, "Uno"), (None, "Dos")]
    card = await make_card(board, catalogs(), "es-ES", 10, None)
    assert "41,00" in card.description
    assert card.fields[0][0] == catalogs().t("es-ES", "leaderboard.pending.name")


async def test_a_thousand_teams_fit_discords_embed_limits(db: Database) -> None:
    await many_teams(db, 1000)
    async with db.read() as session:
        board = progress_board(await teams_with_submissions(session, all_teams=True))
    assert len(board.rows) == 1000
    previous = {row.entry.key: 1 for row in board.rows}
    for top_n in (10, 25):
        card = await make_card(board, catalogs(), "es-ES", top_n, previous)
        assert card.size() <= TOTAL_MAX
        assert len(card.description) <= DESCRIPTION_MAX
        assert all(len(value) <= FIELD_VALUE_MAX for _, value in card.fields)
        assert len(card.description.splitlines()) == top_n
        assert card.fields[0][0] == catalogs().t("es-ES", "leaderboard.rest.name")
        assert f"{1000 - top_n} más" in card.fields[0][1]


async def test_a_hostile_name_cannot_break_the_card_or_the_chart() -> None:
    names = [HOSTILE, "$$$$", "\u202eevil\u202c", "🐯" * 30, "x" * 100]
    board = rank("progress", [
        Entry(f"team:{i}", name, (1.0 - i / 10, 0.0), {"passed": 1, "total": 2, "share": 0.5})
        for i, name in enumerate(names)
    ])  # fmt: skip
    card = await make_card(board, catalogs(), "es-ES", 25, None)
    first = card.description.splitlines()[0]
    assert "@everyone" not in first and "<@123>" not in first and "**@" not in first
    assert "\\*\\*" in first and "\u202e" not in card.description
    assert card.size() <= TOTAL_MAX
    image = Image.open(io.BytesIO(card.image or b""))
    assert image.format == "PNG" and image.size[0] == 1080
    assert drawable("$\\alpha$ 🐯") == "$\\alpha$"
    assert drawable("🐯🚀") == "?"
    assert len(drawable("y" * 100)) == 24


def one_team_board() -> Board:
    return rank(
        "progress", [Entry("t:1", "Uno", (1.0, 0.0), {"passed": 1, "total": 1, "share": 1.0})]
    )


async def test_the_chart_is_drawn_while_an_at_fork_handler_would_hang_a_forked_child() -> None:
    """uvloop's subprocess spawn runs the interpreter's at-fork handlers in the child before
    exec (huggingface_hub's closes its HTTP client there, taking a lock a Hub worker thread may
    hold). A handler that blocks on a lock held at fork time hung such a child, and with it the
    whole event loop (libuv waits for the child's exec): the render process is now started with
    no Python code between fork and exec. Should it regress, the watchdog ends the test run
    with every thread's traceback instead of hanging it."""
    held = threading.Lock()
    armed = [False]

    def hang_if_armed() -> None:
        if armed[0]:
            held.acquire()  # held by the parent at fork time: never released in the child

    os.register_at_fork(after_in_child=hang_if_armed)
    board = one_team_board()
    faulthandler.dump_traceback_later(120, exit=True)
    with held:
        armed[0] = True
        try:
            card = await make_card(board, catalogs(), "es-ES", 25, None)
        finally:
            armed[0] = False
            faulthandler.cancel_dump_traceback_later()
    assert Image.open(io.BytesIO(card.image or b"")).format == "PNG"


async def test_a_chart_that_cannot_be_drawn_leaves_the_card_its_texts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(chart, "RENDER_TIMEOUT_S", 0.001)  # no process starts that fast
    board = one_team_board()
    card = await make_card(board, catalogs(), "es-ES", 25, None)
    assert card.image is None
    assert "Uno" in card.description


async def test_one_claim_per_board_and_scheduled_time(db: Database) -> None:
    """Many concurrent claims of one board and time: exactly one wins."""

    async def claim() -> bool:
        return await db.write(lambda s: posts.claim(s, "likes", NOW, NOW))

    outcomes = await asyncio.gather(*(claim() for _ in range(8)))
    assert outcomes.count(True) == 1
    assert not await claim()


async def test_a_stale_claim_is_taken_over_once(db: Database) -> None:
    assert await db.write(lambda s: posts.claim(s, "likes", NOW, NOW))
    later = NOW + posts.STALE_CLAIM
    outcomes = await asyncio.gather(
        *(db.write(lambda s: posts.claim(s, "likes", NOW, later)) for _ in range(4))
    )
    assert outcomes.count(True) == 1


async def test_edit_or_post_follows_the_age_of_the_previous_message(db: Database) -> None:
    previous = posts.Previous(1, 2, NOW, {})
    assert posts.should_edit(previous, NOW + timedelta(minutes=59), timedelta(hours=1))
    assert not posts.should_edit(previous, NOW + timedelta(hours=1), timedelta(hours=1))
    assert not posts.should_edit(None, NOW, timedelta(hours=1))


def test_scheduled_times_come_from_the_cron() -> None:
    cron = "0 9,18 * * *"
    assert posts.fire_times(cron, NOW - timedelta(hours=12), NOW) == [
        datetime(2024, 3, 20, 9, 0, tzinfo=UTC),
        NOW,
    ]
    assert posts.latest_time(cron, NOW + timedelta(minutes=5), timedelta(hours=1)) == NOW
    assert posts.latest_time(cron, NOW + timedelta(hours=2), timedelta(hours=1)) is None
    assert posts.next_time(cron, NOW) == datetime(2024, 3, 21, 9, 0, tzinfo=UTC)


def test_results_count_only_for_the_submitted_commit() -> None:
    sha = "abcdef0123456789abcdef0123456789abcdef01"
    pinned = {"config": {"model_args": f"pretrained=o/m,revision={sha}"}}
    short = {"config": {"model_args": "pretrained=o/m,revision=abcdef0"}}
    other = {"config": {"model_args": "pretrained=o/m,revision=1234567890"}}
    branch = {"config": {"model_args": "pretrained=o/m,revision=main"}}
    assert evaluated_revision(pinned) == sha and evaluated_revision(branch) is None
    assert for_commit(pinned, sha) and for_commit(short, sha)
    assert not for_commit(other, sha)
    assert for_commit(branch, sha) and for_commit({}, sha) and for_commit(other, None)
