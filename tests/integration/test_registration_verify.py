"""Verifying through the sandbox: the modal from `/verify` and from the welcome message's
persistent button, wrong addresses, an address already linked, the rate limit, mentors."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.discord.timestamps import discord_ts
from bot.models.registration import VerifyAttempts
from sandbox.discord import Interaction
from sandbox.harness import MemberSpec, Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.registration_support import (
    TICKET,
    eventbrite_csv,
    import_csv,
    plain_csv,
    profile_of,
    registration_of,
    role_names,
    welcome_messages,
)
from tests.integration.replies import ENGLISH, assert_reply, expected
from tests.integration.teams_support import audit_log, ok, uid

CONTACT = "info@somosnlp.org"
NEWCOMERS = {
    "ana": (),
    "bea": (),
    "eli": MemberSpec(roles=(), locale="en-US"),
    "olga": ("organizer",),
}
SIGN_UPS = [
    ("Ana", "Pérez", "ana@example.org", TICKET, "México", "anaperez"),
    ("Bea", "Ruiz", "bea@example.org", TICKET, "ES", ""),
    ("Eli", "Smith", "eli@example.org", TICKET, "Colombia", "eli-s"),
]


async def newcomers(make_sandbox: MakeSandbox) -> Sandbox:
    sandbox = await make_sandbox(members=NEWCOMERS)
    await import_csv(sandbox, eventbrite_csv(SIGN_UPS))
    return sandbox


def roles_text(*keys: str, locale: str = "es-ES") -> str:
    return expected("registration.verify.and", locale).join(
        expected(f"core.roles.{key}", locale) for key in keys
    )


async def test_verify_by_command_gives_the_role_links_and_fills_the_profile(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await newcomers(make_sandbox)
    ok(await sandbox.run("ana", "verify"))
    outcome = ok(await sandbox.submit("ana", [" Ana@Example.org "]))
    assert_reply(outcome, "registration.verify.done", roles=roles_text("participant"))
    assert role_names(sandbox, "ana") >= {"participante"}
    linked = await registration_of(sandbox, "ana")
    assert linked is not None and linked.name == "Ana Pérez"
    profile = await profile_of(sandbox, "ana")
    assert profile is not None and (profile.country, profile.hub_user) == ("MX", "anaperez")


async def test_the_welcome_button_opens_the_modal_and_survives_a_restart(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await newcomers(make_sandbox)
    posted = welcome_messages(sandbox)
    assert len(posted) == 1
    label = expected("registration.welcome.button", "es")
    await sandbox.restart()
    assert len(welcome_messages(sandbox)) == 1, "a restart posts no second welcome message"
    ok(await sandbox.click("eli", label=label, where="#bienvenida"))
    outcome = ok(await sandbox.submit("eli", ["eli@example.org"]))
    roles = roles_text("participant", locale=ENGLISH)
    assert_reply(outcome, "registration.verify.done", ENGLISH, roles=roles)
    assert "participante" in role_names(sandbox, "eli")


async def test_a_wrong_address_says_nothing_about_which_exist(make_sandbox: MakeSandbox) -> None:
    sandbox = await newcomers(make_sandbox)
    ok(await sandbox.run("ana", "verify"))
    outcome = ok(await sandbox.submit("ana", ["nobody@example.org"]))
    assert_reply(outcome, "registration.verify.no_match", count=4, contact=CONTACT)
    ok(await sandbox.run("ana", "verify"))
    outcome = ok(await sandbox.submit("ana", ["not an address"]))
    assert_reply(outcome, "registration.verify.no_match", count=3, contact=CONTACT)
    assert "participante" not in role_names(sandbox, "ana")
    assert await registration_of(sandbox, "ana") is None


async def test_an_address_already_linked_is_refused_to_a_second_member(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await newcomers(make_sandbox)
    ok(await sandbox.run("ana", "verify"))
    ok(await sandbox.submit("ana", ["ana@example.org"]))
    ok(await sandbox.run("bea", "verify"))
    outcome = ok(await sandbox.submit("bea", ["ana@example.org"]))
    assert_reply(outcome, "registration.verify.taken", contact=CONTACT)
    assert "participante" not in role_names(sandbox, "bea")
    linked = await registration_of(sandbox, "ana")
    assert linked is not None and linked.user_id == uid(sandbox, "ana")
    # Verifying again asks nothing (no modal): the member keeps their one registration.
    outcome = ok(await sandbox.run("ana", "verify"))
    assert_reply(outcome, "registration.verify.already", roles=roles_text("participant"))
    assert outcome.replies[-1]["modal"] is None
    assert await registration_of(sandbox, "bea") is None


async def test_attempts_are_rate_limited_per_member_across_restarts(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members=NEWCOMERS, settings={"registration": {"max_attempts": 2, "attempts_window": "1h"}}
    )
    await import_csv(sandbox, eventbrite_csv(SIGN_UPS))
    start = sandbox.clock.now()
    for left in (1, 0):
        ok(await sandbox.run("ana", "verify"))
        outcome = ok(await sandbox.submit("ana", ["wrong@example.org"]))
        assert_reply(outcome, "registration.verify.no_match", count=left, contact=CONTACT)
    await sandbox.restart()
    ok(await sandbox.run("ana", "verify"))
    outcome = ok(await sandbox.submit("ana", ["ana@example.org"]))
    assert_reply(
        outcome,
        "registration.errors.too_many_attempts",
        when=discord_ts(start + timedelta(hours=1), "R"),
    )
    assert await registration_of(sandbox, "ana") is None
    # Another member is not limited by ana's attempts; ana may try again after the window.
    ok(await sandbox.run("bea", "verify"))
    ok(await sandbox.submit("bea", ["bea@example.org"]))
    assert (await registration_of(sandbox, "bea")) is not None
    sandbox.clock.advance(timedelta(hours=1))
    ok(await sandbox.run("ana", "verify"))
    outcome = ok(await sandbox.submit("ana", ["ana@example.org"]))
    assert_reply(outcome, "registration.verify.done", roles=roles_text("participant"))
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        attempts = await session.get(VerifyAttempts, uid(sandbox, "ana"))
    assert attempts is not None and attempts.failures == 2


async def test_the_mentor_list_gives_the_mentor_role(make_sandbox: MakeSandbox) -> None:
    sandbox = await newcomers(make_sandbox)
    report = await import_csv(
        sandbox,
        plain_csv([["bea@example.org", "Bea Ruiz"], ["mara@example.org", "Mara", "PE", "mara"]]),
        role="mentor",
    )
    assert (report.added, report.updated) == (1, 1)
    ok(await sandbox.run("bea", "verify"))
    outcome = ok(await sandbox.submit("bea", ["bea@example.org"]))
    assert_reply(outcome, "registration.verify.done", roles=roles_text("participant", "mentor"))
    assert {"participante", "mentor"} <= role_names(sandbox, "bea")


async def test_without_the_secret_members_are_sent_to_the_organizers(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await newcomers(make_sandbox)
    assert sandbox.bot is not None
    settings = sandbox.bot.settings
    sandbox.bot.settings = settings.model_copy(
        update={"secrets": settings.secrets.model_copy(update={"registration_secret": None})}
    )
    outcome = await sandbox.run("ana", "verify")
    assert_reply(outcome, "registration.errors.unavailable", contact=CONTACT)
    # The operator reads in the log what is missing; the member only whom to write to.
    assert [error.get("logger") for error in outcome.errors] == ["cogs.registration.options"]
    assert "REGISTRATION_SECRET" in outcome.errors[0]["message"]
    outcome = ok(
        await sandbox.run(
            "olga", "admin verify", {"member": "@ana", "registration": "ana@example.org"}
        )
    )
    assert_reply(outcome, "registration.errors.no_secret")
    assert await registration_of(sandbox, "ana") is None


async def test_a_forged_button_from_another_server_is_refused(make_sandbox: MakeSandbox) -> None:
    sandbox = await newcomers(make_sandbox)
    other = sandbox.add_server("Elsewhere", members={"mallory": ()})
    await sandbox.settle()
    outcome = await sandbox.forge_click("mallory", "registration:verify", server=other)
    assert outcome.replies and outcome.replies[-1].get("modal") is None
    # Any registration: id in the event's server opens the same modal (it only asks).
    outcome = ok(await sandbox.forge_click("ana", "registration:whatever"))
    assert outcome.replies[-1]["modal"]["title"] == expected("registration.verify.modal_title")


async def test_two_members_submitting_one_address_at_once_have_one_winner(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await newcomers(make_sandbox)
    for handle in ("ana", "bea"):
        ok(await sandbox.run(handle, "verify"))

    async def both() -> list[Interaction]:
        return list(
            await asyncio.gather(
                *(sandbox.discord.submit_modal(h, ["ana@example.org"]) for h in ("ana", "bea"))
            )
        )

    outcome = ok(await sandbox.step(both))
    texts = sorted(replies[-1]["content"] for replies in outcome.replies)
    assert texts == sorted(
        [
            expected("registration.verify.done", roles=roles_text("participant")),
            expected("registration.verify.taken", contact=CONTACT),
        ]
    )
    winners = [h for h in ("ana", "bea") if "participante" in role_names(sandbox, h)]
    assert len(winners) == 1
    linked = await registration_of(sandbox, winners[0])
    assert linked is not None and linked.user_id == uid(sandbox, winners[0])


async def test_hitting_the_attempt_limit_is_on_the_audit_log(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=NEWCOMERS, settings={"registration": {"max_attempts": 1}})
    for _ in range(2):
        ok(await sandbox.run("ana", "verify"))
        ok(await sandbox.submit("ana", ["wrong@example.org"]))
    entries = await audit_log(sandbox, "limit.")
    assert [(e.action, e.actor_id) for e in entries] == [
        ("limit.verify_attempts", uid(sandbox, "ana"))
    ]


async def test_a_deleted_welcome_message_is_posted_again_at_start(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await newcomers(make_sandbox)
    (first,) = welcome_messages(sandbox)
    assert first.content == expected(
        "registration.welcome.text", "es", event="Hackathon SomosNLP 2024"
    )
    sandbox.discord.delete_message(first)
    await sandbox.restart()
    (second,) = welcome_messages(sandbox)
    assert second.id != first.id and second.content == first.content


async def test_members_with_modals_open_at_once_each_get_their_own_registration(
    make_sandbox: MakeSandbox,
) -> None:
    """Open modals are told apart: each member's answer reaches their own modal, whether the
    answers arrive together or one after another."""
    sandbox = await newcomers(make_sandbox)
    handles = ("ana", "bea", "eli")
    for handle in handles:
        ok(await sandbox.run(handle, "verify"))

    async def two_at_once() -> list[Interaction]:
        return list(
            await asyncio.gather(
                *(sandbox.discord.submit_modal(h, [f"{h}@example.org"]) for h in handles[1:])
            )
        )

    ok(await sandbox.submit("ana", ["ana@example.org"]))
    ok(await sandbox.step(two_at_once))
    for handle in handles:
        linked = await registration_of(sandbox, handle)
        assert linked is not None and (linked.name or "").lower().startswith(handle)


async def test_a_form_opened_before_a_restart_is_answered_after_it(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await newcomers(make_sandbox)
    ok(await sandbox.click("ana", label=expected("registration.welcome.button", "es")))
    await sandbox.restart()
    outcome = ok(await sandbox.submit("ana", ["ana@example.org"]))
    assert_reply(outcome, "registration.verify.done", roles=roles_text("participant"))
    assert "participante" in role_names(sandbox, "ana")
