"""Both mentoring rules under concurrency, through the real bot: twenty teams pressing Book on
one slot at the same moment get one booking and nineteen clear refusals; two mentors pressing
Take on one request get one claim. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import asyncio

from tests.integration.conftest import MakeSandbox
from tests.integration.mentors_support import bookings, people, profile, requests, state, team
from tests.integration.replies import expected
from tests.integration.teams_support import PARTICIPANT, of_type, ok

TEAMS = [f"t{i:02d}" for i in range(20)]
QUEUE = "mentorias"


def final_texts(replies: list[list[dict[str, object]]]) -> list[str]:
    return [str(reply[-1]["content"]) for reply in replies]


async def test_twenty_teams_pressing_book_on_one_slot_get_one_booking(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=people(**dict.fromkeys(TEAMS, PARTICIPANT)))
    sandbox.discord.ratelimits.enabled = False  # the race is tested, not Discord's pacing
    for handle in TEAMS:
        await team(sandbox, handle, f"Equipo {handle}")
    await profile(sandbox, "mateo")
    ok(await sandbox.run("mateo", "mentor slots add", {"start": "2024-03-21 18:00"}))
    for handle in TEAMS:
        ok(await sandbox.run(handle, "mentor book"))

    outcome = await sandbox.step(
        lambda: asyncio.gather(*(sandbox.discord.choose(h, index=0) for h in TEAMS))
    )

    assert outcome.errors == []
    texts = final_texts(outcome.replies)
    taken = expected("mentors.errors.slot_taken")
    winners = [h for h, text in zip(TEAMS, texts, strict=True) if text != taken]
    assert len(winners) == 1, texts
    assert sum(text == taken for text in texts) == 19
    [booking] = await bookings(sandbox)
    assert booking.booked_by == sandbox.discord.user_id(winners[0])
    [slot] = (await state(sandbox))["mentor_slots"]
    assert slot["team"] == f"Equipo {winners[0]}"
    # Only the winner's team thread and the mentor heard of it.
    told = [m["channel"] for m in of_type(outcome, "message")]
    assert sorted(told) == ["dm:mateo", f"thread:Equipo {winners[0]}"]


async def test_two_mentors_taking_one_request_get_one_claim(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=people())
    await team(sandbox, "ana", "Los Tigres")
    await profile(sandbox, "mateo", "datasets")
    await profile(sandbox, "marta", "datasets")
    ok(
        await sandbox.run(
            "ana", "mentor request", {"topic": "datasets", "details": "¿Cómo limpiamos el corpus?"}
        )
    )
    label = expected("mentors.buttons.claim")

    outcome = await sandbox.step(
        lambda: asyncio.gather(
            *(sandbox.discord.click(h, label=label, where=f"#{QUEUE}") for h in ("mateo", "marta"))
        )
    )

    assert outcome.errors == []
    texts = final_texts(outcome.replies)
    refused = expected("mentors.errors.already_claimed")
    assert sum(text == refused for text in texts) == 1, texts
    winner = ["mateo", "marta"][texts.index(next(t for t in texts if t != refused))]
    [row] = await requests(sandbox)
    assert (row.status, row.mentor_id, row.claims) == (
        "claimed",
        sandbox.discord.user_id(winner),
        1,
    )
    assert len(of_type(outcome, "thread_created")) == 1
    assert {e["member"] for e in of_type(outcome, "thread_member_added")} == {winner, "ana"}
