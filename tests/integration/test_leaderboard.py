"""Leaderboards through the sandbox: the scheduled job posts to the local Discord (which holds
Discord's limits), the Hub figures come from the local Hub, and `/leaderboard` answers the
member who asked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.i18n import Message
from bot.models import LeaderboardPost, Submission
from bot.services.leaderboard.card import FILENAME, arrow
from bot.text import Safe
from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.leaderboard_support import add_profile, insert, many_teams
from tests.integration.replies import PUBLIC, SPANISH, expected
from tests.integration.teams_support import assert_no_pings, messages, ok

EIGHTEEN = datetime(2024, 3, 20, 18, 0, tzinfo=UTC)
HOSTILE = "**Los ~~Tigres~~** 🐯🚀 @everyone <@1> `x` $y$ ||z|| مرحبا"


def only(board: str, cron: str = "0 18 * * *", **more: Any) -> dict[str, Any]:
    """Settings with ``board`` the one board enabled, posted at ``cron``."""
    boards = {
        name: {"enabled": name == board, "cron": cron}
        for name in ("likes", "progress", "evaluation", "countries")
    }
    # The submissions here are rows written by the test, not repos of the local Hub: the
    # re-verification job (every 6 h) would find them missing and rewrite their checklists.
    return {"leaderboard": {**boards, **more}, "submissions": {"reverify_every": "60d"}}


async def posts_in(sandbox: Sandbox) -> list[dict[str, Any]]:
    return sandbox.discord.messages("leaderboard")


async def rows(sandbox: Sandbox) -> list[LeaderboardPost]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list(await session.scalars(select(LeaderboardPost).order_by(LeaderboardPost.id)))


def description(message: dict[str, Any]) -> str:
    [embed] = message["embeds"]
    return str(embed.get("description") or "")


async def test_the_scheduled_post_carries_the_board_and_its_chart(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(settings=only("progress"))
    assert sandbox.bot is not None
    await insert(
        sandbox.bot.db,
        (1, "Mitad", {"repos": {"model": "o/a"}, "checks": {"a": "passed", "b": "failed"}}),
        (2, "Todo", {"repos": {"model": "o/b"}, "checks": {"a": "passed", "b": "passed"}}),
        (3, "Empate", {"repos": {"model": "o/c"}, "checks": {"a": "passed", "b": "warned"}}),
    )

    outcome = ok(await sandbox.advance_until(EIGHTEEN))

    [post] = messages(outcome, "leaderboard")
    assert post["type"] == "message" and post["files"] == [FILENAME]
    assert_no_pings(outcome)
    [embed] = post["embeds"]
    assert embed["title"] == expected("leaderboard.title.progress", PUBLIC)
    lines = embed["description"].split("\n")
    assert [line.split(" — ")[0] for line in lines] == [
        "🥇 **1.** Todo",
        "🥈 **2.** Empate",
        "🥈 **2.** Mitad",
    ]
    [stored] = await posts_in(sandbox)
    assert stored["attachments"][0]["filename"] == FILENAME
    assert stored["embeds"][0]["image"]["url"] == f"attachment://{FILENAME}"
    [row] = await rows(sandbox)
    assert (row.board, row.scheduled_for, row.status) == ("progress", EIGHTEEN, "posted")


async def test_arrows_and_the_edit_or_post_rule(make_sandbox: MakeSandbox) -> None:
    """Every 30 minutes: the second post edits the first message (younger than an hour) and
    shows who moved; the third finds that message an hour old and posts a fresh one."""
    sandbox = await make_sandbox(settings=only("progress", cron="0,30 * * * *"))
    assert sandbox.bot is not None
    db = sandbox.bot.db
    await insert(
        db,
        (1, "Uno", {"repos": {"model": "o/a"}, "checks": {"a": "passed", "b": "failed"}}),
        (2, "Dos", {"repos": {"model": "o/b"}, "checks": {"a": "failed", "b": "failed"}}),
    )
    first = ok(await sandbox.advance(timedelta(minutes=1)))  # 10:00 is a scheduled time
    [post] = messages(first, "leaderboard")
    assert post["type"] == "message"
    assert "▲" not in description(post) and "🆕" not in description(post)

    async with db.transaction() as session:
        sub = await session.scalar(select(Submission).where(Submission.repo_id == "o/b"))
        assert sub is not None
        sub.checks = {"a": "passed", "b": "passed"}
    second = ok(await sandbox.advance(timedelta(minutes=30)))

    [edited] = messages(second, "leaderboard")
    assert edited["type"] == "message_edited" and edited["files"] == [FILENAME]
    lines = description(edited).split("\n")
    assert lines[0].startswith("🥇 **1.** Dos") and lines[0].endswith(arrow("k", 1, {"k": 2}))
    assert lines[1].startswith("🥈 **2.** Uno") and lines[1].endswith("▼1")
    assert len(await posts_in(sandbox)) == 1

    third = ok(await sandbox.advance(timedelta(minutes=30)))

    [fresh] = messages(third, "leaderboard")
    assert fresh["type"] == "message"
    assert len(await posts_in(sandbox)) == 2
    assert description(fresh).split("\n")[0].endswith("＝")
    assert [r.status for r in await rows(sandbox)] == ["posted"] * 3


async def test_no_duplicate_after_a_restart(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(settings=only("progress"))
    assert sandbox.bot is not None
    await insert(sandbox.bot.db, (1, "Uno", {"repos": {"model": "o/a"}}))
    ok(await sandbox.advance_until(EIGHTEEN + timedelta(minutes=1)))
    assert len(await posts_in(sandbox)) == 1

    await sandbox.restart()
    again = ok(await sandbox.advance(timedelta(minutes=30)))

    assert messages(again, "leaderboard") == []
    assert len(await posts_in(sandbox)) == 1
    tomorrow = ok(await sandbox.advance(timedelta(days=1)))
    assert len(messages(tomorrow, "leaderboard")) == 1


async def test_likes_come_from_the_hub_and_a_hostile_name_stays_text(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(settings=only("likes"))
    assert sandbox.bot is not None
    sandbox.hub.set("somosnlp/tigre-7b", {"likes": 7, "downloads": 1}, kind="model")
    sandbox.hub.set("somosnlp/tigre-data", {"likes": 3, "downloads": 1}, kind="dataset")
    sandbox.hub.set("somosnlp/leon-7b", {"likes": 10, "downloads": 2}, kind="model")
    sandbox.hub.set("somosnlp/lince-7b", {"likes": 10, "downloads": 90}, kind="model")
    await insert(
        sandbox.bot.db,
        (1, HOSTILE, {"repos": {"model": "somosnlp/tigre-7b", "dataset": "somosnlp/tigre-data"}}),
        (2, "Leones", {"repos": {"model": "somosnlp/leon-7b"}}),
        (3, "Linces", {"repos": {"model": "somosnlp/lince-7b"}}),
        (4, "Borrado", {"repos": {"model": "somosnlp/ya-no-existe"}}),
    )

    outcome = ok(await sandbox.advance_until(EIGHTEEN))

    [post] = messages(outcome, "leaderboard")
    assert_no_pings(outcome)
    lines = description(post).split("\n")
    assert lines[0].startswith("🥇 **1.** Linces")
    # Tied on likes and downloads with Leones: the same place.
    assert lines[1].startswith("🥈 **2.** ")
    assert lines[2].startswith("🥈 **2.** Leones")
    assert "\\*\\*Los \\~\\~Tigres\\~\\~\\*\\*" in lines[1]
    assert "@everyone" not in lines[1] and "<@1>" not in lines[1]
    assert lines[3].startswith("▫️ **4.** Borrado")


async def test_a_hub_outage_skips_the_post_and_alerts_the_organizers(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(settings=only("likes"))
    assert sandbox.bot is not None
    sandbox.hub.set("somosnlp/tigre-7b", {"likes": 7}, kind="model")
    await insert(sandbox.bot.db, (1, "Tigres", {"repos": {"model": "somosnlp/tigre-7b"}}))
    sandbox.hub.set_fault("*", "500")

    outcome = ok(await sandbox.advance_until(EIGHTEEN))

    assert messages(outcome, "leaderboard") == []
    [alert] = messages(outcome, "organizacion")
    assert alert["content"] == expected(
        "leaderboard.alerts.hub_down",
        PUBLIC,
        board=Message("leaderboard.board.likes"),
        error="unavailable",
    )
    [row] = await rows(sandbox)
    assert (row.status, row.reason) == ("skipped", "hub_unavailable")

    sandbox.hub.set_fault("*", "none")
    tomorrow = ok(await sandbox.advance(timedelta(days=1)))
    assert len(messages(tomorrow, "leaderboard")) == 1


async def test_a_thousand_teams_post_within_discords_limits(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(settings=only("progress", top_n=25))
    assert sandbox.bot is not None
    await many_teams(sandbox.bot.db, 1000)

    outcome = ok(await sandbox.advance_until(EIGHTEEN))

    [post] = messages(outcome, "leaderboard")
    [embed] = post["embeds"]
    assert len(embed["description"].split("\n")) == 25
    assert embed["fields"][0]["value"].startswith("975 ")


async def test_the_command_answers_only_the_member_with_the_same_picture(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members={"ana": ("participant",)}, settings=only("progress"))
    assert sandbox.bot is not None
    await insert(sandbox.bot.db, (1, "Uno", {"repos": {"model": "o/a"}, "checks": {"a": "passed"}}))

    outcome = ok(await sandbox.run("ana", "leaderboard", {"board": "progress"}))

    reply = outcome.replies[-1]
    assert reply["ephemeral"] is True and reply["files"] == [FILENAME]
    assert reply["embeds"][0]["title"] == expected("leaderboard.title.progress", SPANISH)
    assert await posts_in(sandbox) == []

    default = ok(await sandbox.run("ana", "leaderboard"))
    assert default.replies[-1]["embeds"][0]["title"] == reply["embeds"][0]["title"]

    refused = ok(await sandbox.run("ana", "leaderboard", {"board": "likes"}))
    assert refused.replies[-1]["content"] == expected(
        "leaderboard.errors.disabled",
        SPANISH,
        board=Message("leaderboard.board.likes"),
    )


async def test_a_scheduled_post_is_published_to_the_hub_as_csv_and_json(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(settings=only("progress", publish_repo="somosnlp/clasificacion"))
    assert sandbox.bot is not None
    await insert(
        sandbox.bot.db,
        (1, "=HYPERLINK(1)", {"repos": {"model": "o/a"}, "checks": {"a": "passed"}}),
        (2, "Dos", {"repos": {"model": "o/b"}, "checks": {"a": "failed"}}),
    )

    ok(await sandbox.advance_until(EIGHTEEN))

    repo = sandbox.hub.get("somosnlp/clasificacion", "dataset")
    assert repo is not None
    csv_text = repo.contents["progress.csv"]
    assert isinstance(csv_text, str)
    assert csv_text.splitlines()[:3] == [
        "place,key,name,passed,total,share",
        "1,team:1,'=HYPERLINK(1),1,1,1.0",
        "2,team:2,Dos,0,1,0.0",
    ]
    document = json.loads(str(repo.contents["progress.json"]))
    assert document["board"] == "progress"
    assert document["scheduled_for"] == EIGHTEEN.isoformat()
    assert [e["name"] for e in document["entries"]] == ["=HYPERLINK(1)", "Dos"]
    [row] = await rows(sandbox)
    assert row.published == "published"


async def test_a_hub_outage_while_publishing_keeps_the_post_and_alerts(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(settings=only("progress", publish_repo="somosnlp/clasificacion"))
    assert sandbox.bot is not None
    await insert(sandbox.bot.db, (1, "Uno", {"repos": {"model": "o/a"}}))
    sandbox.hub.set_fault("*", "500")

    outcome = ok(await sandbox.advance_until(EIGHTEEN))

    assert len(messages(outcome, "leaderboard")) == 1
    [alert] = messages(outcome, "organizacion")
    assert alert["content"] == expected(
        "leaderboard.alerts.publish_failed",
        PUBLIC,
        board=Message("leaderboard.board.progress"),
        repo="somosnlp/clasificacion",
        error="unavailable",
    )
    [row] = await rows(sandbox)
    assert (row.status, row.published) == ("posted", "failed")
    assert len(await posts_in(sandbox)) == 1


def results(model: str, xnli: float, belebele: float, revision: str = "0" * 40) -> str:
    """An lm-evaluation-harness results file as La Leaderboard stores them."""
    return json.dumps(
        {
            "results": {
                "xnli_es": {"alias": "xnli_es", "acc,none": xnli, "acc_stderr,none": 0.01},
                "belebele_spa": {"acc_norm,none": belebele},
                "es_group": {"acc,none": 0.99},
            },
            "config": {"model": "hf", "model_args": f"pretrained={model},revision={revision}"},
            "model_name": model,
        }
    )


async def test_the_evaluation_board_reads_results_from_a_hub_dataset(
    make_sandbox: MakeSandbox,
) -> None:
    tasks = {"xnli_es": "acc,none", "belebele_spa": "acc_norm,none"}
    sandbox = await make_sandbox(
        settings=only("evaluation", results_dataset="somosnlp/resultados", tasks=tasks)
    )
    assert sandbox.bot is not None
    files = {
        "somosnlp/tigre-7b/results_2024-03-01.json": results("somosnlp/tigre-7b", 0.1, 0.1),
        "somosnlp/tigre-7b/results_2024-03-02.json": results("somosnlp/tigre-7b", 0.5, 0.7),
        "somosnlp/leon-7b/results_2024-03-02.json": results("somosnlp/leon-7b", 0.7, 0.5),
        "somosnlp/lince-7b/results_2024-03-02.json": results("somosnlp/lince-7b", 0.4, 0.4),
        # A newer file, but of another commit than the one submitted: it does not count.
        "somosnlp/lince-7b/results_2024-03-03.json": results(
            "somosnlp/lince-7b", 0.9, 0.9, revision="abcdef1234567"
        ),
    }
    sandbox.hub.set(
        "somosnlp/resultados", {"files": list(files), "contents": files}, kind="dataset"
    )
    await insert(
        sandbox.bot.db,
        (1, "Tigres", {"repos": {"model": "somosnlp/tigre-7b"}}),
        (2, "Leones", {"repos": {"model": "somosnlp/leon-7b", "dataset": "somosnlp/d"}}),
        (3, "Linces", {"repos": {"model": "somosnlp/lince-7b"}}),
        (4, "Osos", {"repos": {"model": "somosnlp/oso-7b"}}),
        (5, "Sin modelo", {"repos": {"dataset": "somosnlp/solo-datos"}}),
    )

    outcome = ok(await sandbox.advance_until(EIGHTEEN))

    [post] = messages(outcome, "leaderboard")
    [embed] = post["embeds"]
    assert embed["description"].split("\n") == [
        expected(
            "leaderboard.line",
            PUBLIC,
            medal=Safe(medal),
            place=place,
            name=name,
            detail=Message("leaderboard.detail.evaluation", model=model, score=Safe(score)),
            arrow=Safe(""),
        ).rstrip()
        for medal, place, name, model, score in [
            ("🥇", 1, "Leones", "somosnlp/leon-7b", "60,00"),
            ("🥇", 1, "Tigres", "somosnlp/tigre-7b", "60,00"),  # the newest file counts
            ("🥉", 3, "Linces", "somosnlp/lince-7b", "40,00"),
        ]
    ]
    [pending] = embed["fields"]
    assert pending["name"] == expected("leaderboard.pending.name", PUBLIC)
    assert "Osos" in pending["value"] and "Sin modelo" not in pending["value"]


async def test_the_countries_board_counts_participants_and_teams(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(settings=only("countries"))
    assert sandbox.bot is not None
    await insert(sandbox.bot.db, (1, "A", {"members": [1, 2]}), (2, "B", {"members": [3, 4]}))
    async with sandbox.bot.db.transaction() as session:
        for user_id, country in [(1, "AR"), (2, "MX"), (3, "AR"), (4, "MX"), (5, "ES")]:
            add_profile(session, user_id, country)

    outcome = ok(await sandbox.advance_until(EIGHTEEN))

    [post] = messages(outcome, "leaderboard")
    lines = description(post).split("\n")
    assert [line.split(" — ")[0] for line in lines] == [
        "🥇 **1.** 🇦🇷 Argentina",
        "🥇 **1.** 🇲🇽 México",
        "🥉 **3.** 🇪🇸 España",
    ]
    assert (
        lines[0]
        .split(" — ")[1]
        .startswith(expected("leaderboard.detail.countries", PUBLIC, count=2, teams=Safe("2")))
    )


async def test_the_command_says_when_the_hub_does_not_answer(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members={"ana": ("participant",)}, settings=only("likes"))
    assert sandbox.bot is not None
    await insert(sandbox.bot.db, (1, "Tigres", {"repos": {"model": "somosnlp/tigre-7b"}}))
    sandbox.hub.set_fault("*", "500")

    outcome = ok(await sandbox.run("ana", "leaderboard", {"board": "likes"}))

    assert outcome.replies[-1]["content"] == expected("core.errors.hub_unavailable", SPANISH)
    assert outcome.replies[-1]["ephemeral"] is True


async def test_only_pending_models_say_so(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members={"ana": ("participant",)},
        settings=only("evaluation", results_dataset="somosnlp/resultados", tasks={"t": "acc,none"}),
    )
    assert sandbox.bot is not None
    sandbox.hub.set("somosnlp/resultados", {"files": ["otro/modelo/r.json"]}, kind="dataset")
    await insert(sandbox.bot.db, (1, "Tigres", {"repos": {"model": "somosnlp/tigre-7b"}}))

    outcome = ok(await sandbox.run("ana", "leaderboard", {"board": "evaluation"}))

    [embed] = outcome.replies[-1]["embeds"]
    assert embed["description"] == expected("leaderboard.pending.none_ranked", SPANISH)
    assert "Tigres" in embed["fields"][0]["value"]


async def test_admin_status_shows_each_board_and_its_last_post(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members={"olga": ("organizer",)},
        settings=only("progress", publish_repo="somosnlp/clasificacion"),
    )
    ok(await sandbox.advance_until(EIGHTEEN))

    outcome = ok(await sandbox.run("olga", "admin status"))

    fields = {f["name"]: f["value"].splitlines() for f in outcome.replies[0]["embeds"][0]["fields"]}
    lines = fields[expected("leaderboard.status.title", SPANISH)]
    assert lines == [
        expected("leaderboard.status.disabled", SPANISH, board=Message("leaderboard.board.likes")),
        expected(
            "leaderboard.status.line",
            SPANISH,
            board=Message("leaderboard.board.progress"),
            cron="0 18 * * *",
            last="2024-03-20 18:00 UTC",
        ),
        expected(
            "leaderboard.status.disabled", SPANISH, board=Message("leaderboard.board.evaluation")
        ),
        expected(
            "leaderboard.status.disabled", SPANISH, board=Message("leaderboard.board.countries")
        ),
        expected("leaderboard.status.publish", SPANISH, repo="somosnlp/clasificacion"),
    ]


async def test_admin_status_words_the_jobs_outcome(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members={"olga": ("organizer",)}, settings=only("progress"))
    ok(await sandbox.advance_until(EIGHTEEN))

    outcome = ok(await sandbox.run("olga", "admin status"))

    jobs = next(
        f["value"]
        for f in outcome.replies[0]["embeds"][0]["fields"]
        if f["name"] == expected("core.status.jobs", SPANISH)
    )
    assert expected("leaderboard.jobs.posted", SPANISH, count=1) in jobs
