"""The help queue through the real bot: a request pings only the mentors of its topic, the
first mentor to press Take gets it and a private thread opens with the team, Release puts it
back, Resolved closes it and the team rates the session; organizers read the figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.discord.mentions import channel_mention
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.text import Safe
from sandbox.harness import Sandbox, StepOutcome
from tests.integration.conftest import START, MakeSandbox
from tests.integration.mentors_support import people, profile, requests, state, team
from tests.integration.replies import assert_reply, expected, mention_of
from tests.integration.teams_support import messages, of_type, ok, reply_text

QUEUE = "mentorias"  # config.toml [channels] mentors
DETAILS = "Nuestro dataset tiene duplicados, ¿cómo los quitamos?"


async def queue_sandbox(make_sandbox: MakeSandbox, **settings: object) -> Sandbox:
    sandbox = await make_sandbox(
        members=people(), settings={"mentors": settings} if settings else None
    )
    await team(sandbox, "ana", "Los Tigres", "bea")
    await profile(sandbox, "mateo", "datasets, rag")
    await profile(sandbox, "marta", "datasets")
    return sandbox


async def ask(
    sandbox: Sandbox, handle: str = "ana", topic: str = "datasets", **extra: str
) -> StepOutcome:
    return ok(
        await sandbox.run(handle, "mentor request", {"topic": topic, "details": DETAILS, **extra})
    )


def take(locale: str = "es") -> str:
    return expected("mentors.buttons.claim", locale)


async def test_a_request_pings_only_mentors_of_its_topic(make_sandbox: MakeSandbox) -> None:
    sandbox = await queue_sandbox(make_sandbox)
    await profile(sandbox, "olga", "gradio")  # an organizer mentoring another topic

    outcome = await ask(sandbox)

    assert_reply(
        outcome,
        "mentors.request.queued",
        position=1,
        wait=Message("mentors.request.no_estimate"),
    )
    [post] = messages(outcome, QUEUE)
    pings = f"{mention_of(sandbox, 'mateo')} {mention_of(sandbox, 'marta')}"
    assert post["content"] == expected(
        "mentors.request.post",
        "es",
        team="Los Tigres",
        topic="datasets",
        details=DETAILS,
        pings=Safe(pings),
    )
    assert post["buttons"] == [take()]
    assert sorted(post["mentions"]["users"]) == ["marta", "mateo"]
    assert post["mentions"]["everyone"] is False and post["mentions"]["roles"] == []
    assert (await state(sandbox))["mentor_requests"] == [
        {"team": "Los Tigres", "topic": "datasets", "status": "open", "mentor": None}
    ]


async def test_claim_opens_a_private_thread_release_resolve_and_rate(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await queue_sandbox(make_sandbox)
    await ask(sandbox)

    not_mentor = ok(await sandbox.click("carlos", label=take(), where=f"#{QUEUE}"))
    claimed = ok(await sandbox.click("mateo", label=take(), where=f"#{QUEUE}"))

    assert_reply(not_mentor, "core.errors.missing_role", role=Message("core.roles.mentor"))
    [created] = of_type(claimed, "thread_created")
    assert created["parent"] == QUEUE and created["private"] is True
    assert created["name"] == "Los Tigres · datasets"
    added = {e["member"] for e in of_type(claimed, "thread_member_added")}
    assert added == {"mateo", "ana", "bea"}
    [row] = await requests(sandbox)
    assert row.thread_id is not None
    assert_reply(
        claimed, "mentors.claim.done", team="Los Tigres", thread=channel_mention(row.thread_id)
    )
    [edited] = [m for m in messages(claimed, QUEUE) if m["type"] == "message_edited"]
    assert edited["content"] == expected(
        "mentors.request.claimed",
        "es",
        team="Los Tigres",
        topic="datasets",
        mentor=mention_of(sandbox, "mateo"),
    )
    assert edited["buttons"] == []
    thread = "thread:Los Tigres · datasets"
    [welcome] = messages(claimed, thread)
    assert welcome["buttons"] == [
        expected("mentors.buttons.release", "es"),
        expected("mentors.buttons.resolve", "es"),
    ]

    # Release: only the mentor who took it; then it is back in the queue for marta.
    # marta cannot see the private thread; a forged press of its Release button is refused.
    others_release = ok(
        await sandbox.forge_click("marta", f"mentor:release:{row.id}", channel=QUEUE)
    )
    released = ok(
        await sandbox.click("mateo", label=expected("mentors.buttons.release", "es"), where=thread)
    )
    assert_reply(others_release, "mentors.errors.not_your_claim")
    assert_reply(released, "mentors.release.done", team="Los Tigres")
    assert (await state(sandbox))["mentor_requests"][0]["status"] == "open"
    [requeued] = [m for m in messages(released, QUEUE) if m["type"] == "message_edited"]
    assert requeued["buttons"] == [take()]
    reclaimed = ok(await sandbox.click("marta", label=take(), where=f"#{QUEUE}"))
    assert of_type(reclaimed, "thread_created") == []  # the same thread, marta added to it
    assert {e["member"] for e in of_type(reclaimed, "thread_member_added")} >= {"marta"}
    assert (await state(sandbox))["mentor_requests"] == [
        {"team": "Los Tigres", "topic": "datasets", "status": "claimed", "mentor": "marta"}
    ]

    resolved = ok(
        await sandbox.click("marta", label=expected("mentors.buttons.resolve", "es"), where=thread)
    )
    assert_reply(resolved, "mentors.resolve.done")
    [prompt] = [m for m in messages(resolved, thread) if m["buttons"]]
    assert prompt["buttons"] == ["★" * n for n in range(1, 6)]

    stranger = ok(await sandbox.click("marta", label="★★★★★", where=thread))
    rated = ok(await sandbox.click("bea", label="★★★★", where=thread))
    again = ok(await sandbox.click("ana", label="★", where=thread))

    assert_reply(stranger, "mentors.errors.not_your_team")
    assert_reply(rated, "mentors.rate.done", rating=4, mentor=mention_of(sandbox, "marta"))
    assert_reply(again, "mentors.errors.already_rated")
    [row] = await requests(sandbox)
    assert (row.status, row.rating, row.claims) == ("resolved", 4, 2)


async def test_a_team_asks_the_same_mentor_again(make_sandbox: MakeSandbox) -> None:
    sandbox = await queue_sandbox(make_sandbox)

    outcome = await ask(sandbox, mentor="@marta")

    [post] = messages(outcome, QUEUE)
    assert post["content"] == expected(
        "mentors.request.post_preferred",
        "es",
        team="Los Tigres",
        topic="datasets",
        mentor=mention_of(sandbox, "marta"),
        details=DETAILS,
    )
    assert post["mentions"]["users"] == ["marta"]
    second = await ask(sandbox, "bea")
    assert_reply(second, "mentors.errors.too_many_requests", count=1)


async def test_a_mentor_may_not_take_their_own_teams_request(make_sandbox: MakeSandbox) -> None:
    from sandbox.harness import MemberSpec

    sandbox = await make_sandbox(members=people(mateo=MemberSpec(roles=("mentor", "participant"))))
    await team(sandbox, "mateo", "Los Tigres")
    await profile(sandbox, "mateo", "datasets")
    await ask(sandbox, "mateo")

    outcome = ok(await sandbox.click("mateo", label=take(), where=f"#{QUEUE}"))

    assert_reply(outcome, "mentors.errors.own_request")
    assert (await state(sandbox))["mentor_requests"][0]["status"] == "open"


async def test_request_refusals(make_sandbox: MakeSandbox) -> None:
    sandbox = await queue_sandbox(make_sandbox)

    no_team = await ask(sandbox, "carlos")
    bad_topic = await ask(sandbox, topic="cocina")
    not_a_mentor = await ask(sandbox, mentor="@bea")

    assert_reply(no_team, "mentors.errors.no_team")
    tags = "datasets, fine-tuning, evaluation, prompting, rag, gradio, deployment, bias"
    assert_reply(bad_topic, "mentors.errors.unknown_tag", tag="cocina", tags=tags)
    assert_reply(not_a_mentor, "mentors.errors.not_a_mentor")
    assert await requests(sandbox) == []


async def test_queue_position_and_wait_estimate(make_sandbox: MakeSandbox) -> None:
    sandbox = await queue_sandbox(make_sandbox)
    await team(sandbox, "carlos", "Las Águilas")
    await team(sandbox, "dani", "Los Osos")
    await ask(sandbox)
    await sandbox.advance(timedelta(minutes=12))
    ok(await sandbox.click("mateo", label=take(), where=f"#{QUEUE}"))  # waited 12 minutes
    await ask(sandbox, "carlos")

    second = await ask(sandbox, "dani", topic="rag")

    # dani reads English; one request (Las Águilas) waits ahead of Los Osos.
    assert_reply(
        second,
        "mentors.request.queued",
        "en-US",
        position=2,
        wait=Message("mentors.request.minutes", count=24),
    )


async def test_an_unclaimed_request_is_announced_again(make_sandbox: MakeSandbox) -> None:
    sandbox = await queue_sandbox(make_sandbox)
    await ask(sandbox)

    early = await sandbox.advance(timedelta(minutes=14))
    due = await sandbox.advance(timedelta(minutes=2))
    # Announced at 15 minutes (the job runs when due); the next is due at 30.
    later = await sandbox.advance(timedelta(minutes=13))
    claimed_before_next = ok(await sandbox.click("mateo", label=take(), where=f"#{QUEUE}"))
    after_claim = await sandbox.advance(timedelta(hours=1))

    assert messages(early, QUEUE) == []
    assert [m["content"] for m in messages(due, QUEUE)] == [
        expected(
            "mentors.request.reping",
            "es",
            team="Los Tigres",
            topic="datasets",
            since=discord_ts(START, "R"),
        )
    ]
    assert messages(later, QUEUE) == []
    assert claimed_before_next.errors == []
    assert messages(after_claim, QUEUE) == []


async def test_stats_are_for_organizers(make_sandbox: MakeSandbox) -> None:
    sandbox = await queue_sandbox(make_sandbox)
    await ask(sandbox)
    await sandbox.advance(timedelta(minutes=10))
    ok(await sandbox.click("mateo", label=take(), where=f"#{QUEUE}"))

    refused = ok(await sandbox.run("ana", "mentor stats"))
    shown = ok(await sandbox.run("olga", "mentor stats"))

    assert_reply(refused, "core.errors.missing_role", role=Message("core.roles.organizer"))
    text = reply_text(shown)
    ten = Message("mentors.stats.minutes", count=10)
    summary = expected(
        "mentors.stats.summary",
        requests=1,
        open=0,
        resolved=0,
        claims=1,
        p50=ten,
        p90=ten,
        bookings=0,
        cancelled=0,
    )
    assert text.startswith(summary)
    mateo = expected(
        "mentors.stats.mentor",
        mentor=mention_of(sandbox, "mateo"),
        sessions=0,
        claims=1,
        resolved=0,
        rating=Message("mentors.stats.no_value"),
        ratings=0,
    )
    assert mateo in text.split("\n")


async def test_hostile_details_ping_nobody_and_show_literally(make_sandbox: MakeSandbox) -> None:
    sandbox = await queue_sandbox(make_sandbox)
    hostile = "@everyone <@&1> **urgente** [pulsa](https://example.com)"

    outcome = await ask(sandbox, details=hostile)

    [post] = messages(outcome, QUEUE)
    assert post["mentions"]["everyone"] is False and post["mentions"]["roles"] == []
    assert sorted(post["mentions"]["users"]) == ["marta", "mateo"]
    assert "@everyone" not in post["content"] and "**urgente**" not in post["content"]
    [row] = await requests(sandbox)
    assert row.details == hostile  # stored as typed (cleaned), neutralized when shown


async def test_the_menu_and_the_take_button_work_after_a_restart(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await queue_sandbox(make_sandbox)
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 10:00"}))
    ok(await sandbox.run("ana", "mentor book"))
    await ask(sandbox, "bea")
    await sandbox.restart()

    booked = ok(await sandbox.choose("ana", index=0))
    claimed = ok(await sandbox.click("marta", label=take(), where=f"#{QUEUE}"))

    start = datetime(2024, 3, 21, 9, 0, tzinfo=UTC)  # 10:00 in Madrid
    assert_reply(
        booked,
        "mentors.book.done",
        team="Los Tigres",
        mentor=mention_of(sandbox, "mateo"),
        start=discord_ts(start, "F"),
        when=discord_ts(start, "R"),
    )
    assert of_type(claimed, "thread_created") != []
    assert [s["team"] for s in (await state(sandbox))["mentor_slots"]] == ["Los Tigres"]
    assert (await state(sandbox))["mentor_requests"][0]["mentor"] == "marta"


async def test_admin_status_shows_the_queue(make_sandbox: MakeSandbox) -> None:
    sandbox = await queue_sandbox(make_sandbox)
    await ask(sandbox)

    outcome = ok(await sandbox.run("olga", "admin status"))

    text = reply_text(outcome)
    assert expected("mentors.status.title") in text
    assert expected("mentors.status.queue", count=1) in text
    assert expected("mentors.status.bookings", count=0) in text
