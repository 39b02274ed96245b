"""Which language a member reads: their Discord language when the bot speaks it, otherwise the
event's `default_locale` (also for a member the bot has never heard from). Members' languages are
remembered off the command's path, in batches."""

from __future__ import annotations

import asyncio

from sqlalchemy import event, select

from bot.i18n import catalogs
from bot.models import MemberLocale
from sandbox.harness import MemberSpec
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import expected
from tests.integration.teams_support import messages, ok

ENGLISH_EVENT = {"event": {"default_locale": "en"}}


async def test_a_language_the_bot_does_not_speak_reads_the_events_default(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members={"amelie": MemberSpec(roles=("participant",), locale="fr")},
        settings=ENGLISH_EVENT,
    )

    outcome = ok(await sandbox.run("amelie", "team info"))

    assert outcome.replies[-1]["content"] == expected("teams.errors.not_in_team", "en")


async def test_a_member_never_heard_from_is_invited_in_the_events_default(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members={
            "ana": MemberSpec(roles=("participant",), locale="es-ES"),
            "nadie": MemberSpec(roles=("participant",), locale="es-ES"),
        },
        settings=ENGLISH_EVENT,
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team invite", {"member": "@nadie"}))

    # nadie never used a command: the bot cannot know their language, so the event's is used.
    [dm] = messages(outcome)
    english = catalogs().t("en", "teams.buttons.accept")
    assert dm["channel"] == "dm:nadie"
    assert english in dm["buttons"]


async def test_a_burst_of_first_commands_remembers_every_language_in_few_writes(
    make_sandbox: MakeSandbox,
) -> None:
    handles = [f"m{i:02d}" for i in range(20)]
    sandbox = await make_sandbox(
        members={h: MemberSpec(roles=("participant",), locale="en-GB") for h in handles}
    )
    assert sandbox.bot is not None
    writes = 0

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        nonlocal writes
        if statement.lstrip().upper().startswith(("INSERT INTO MEMBER_LOCALES", "UPDATE MEMBER")):
            writes += 1

    engines = [engine.sync_engine for engine in sandbox.bot.db.engines]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        outcome = await sandbox.step(
            lambda: asyncio.gather(
                *(
                    sandbox.discord.run_command(sandbox.guild_id, h, "team info", {})
                    for h in handles
                )
            )
        )
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)

    assert outcome.errors == []
    async with sandbox.bot.db.read() as session:
        stored = dict(
            (await session.execute(select(MemberLocale.user_id, MemberLocale.locale))).all()
        )
    assert {sandbox.handle_of(uid): locale for uid, locale in stored.items()} == {
        h: "en-GB" for h in handles
    }
    # One statement per batch of languages, not one per member.
    assert 1 <= writes <= 10, writes
