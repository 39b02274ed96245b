"""How invitations and join requests end, as the people involved read it: the closed message in
its reader's language (the invitee's DM, the captain's request in the team thread), a DM to
whoever waited (the member who asked to join, the inviter), "you joined" for a member an
organizer moved in; refusals that fit who reads them; `/teamadmin log` naming the members each
change was about; plurals; and `/admin status` reading naturally."""

from __future__ import annotations

from datetime import timedelta

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from sandbox.harness import MemberSpec, Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import (
    ENGLISH,
    SPANISH,
    accept_label,
    assert_reply,
    command_mention,
    decline_label,
    english,
    expected,
    mention_of,
    status,
)
from tests.integration.teams_support import (
    create_team,
    members,
    messages,
    ok,
    reply_text,
)

ENGLISH_EVENT = {"event": {"default_locale": "en"}}


# -- point 2: a closed message speaks its reader's language -----------------------------------
async def test_an_expired_invitation_is_closed_in_the_invitees_language(sandbox: Sandbox) -> None:
    """The event speaks Spanish; dani's Discord is in English, and so was the invitation."""
    ok(await sandbox.run("dani", "team info"))  # the bot learns dani's language
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@dani"}))

    outcome = ok(await sandbox.advance(timedelta(hours=49)))

    [edited] = [m for m in messages(outcome) if m["type"] == "message_edited"]
    assert edited["channel"] == "dm:dani"
    assert edited["content"] == english(
        "teams.closed.invitation", team="Los Tigres", status=status("expired")
    )


async def test_a_closed_join_request_is_edited_in_the_captains_language(
    make_sandbox: MakeSandbox,
) -> None:
    """An English-speaking event; the captain's Discord is Spanish: the request was written for
    her in Spanish, and closes in Spanish."""
    sandbox = await make_sandbox(members=members("ana", "bea", "carlos"), settings=ENGLISH_EVENT)
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.advance(timedelta(hours=49)))

    [edited] = [m for m in messages(outcome) if m["type"] == "message_edited"]
    assert edited["channel"] == "thread:Los Tigres"
    assert edited["content"] == expected(
        "teams.closed.request", SPANISH, member=mention_of(sandbox, "bea"), status=status("expired")
    )


async def test_a_member_moved_in_by_an_organizer_reads_that_they_joined(
    make_sandbox: MakeSandbox,
) -> None:
    """bea was invited and also asked to join; olga moves her in, which fills the team: her
    invitation says she joined (not "closed: team full"), and so does her request."""
    sandbox = await make_sandbox(
        members=members("ana", "bea", olga=MemberSpec(roles=("organizer",))),
        settings={"teams": {"max_size": 2}},
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    outcome = ok(
        await sandbox.run("olga", "teamadmin move", {"member": "@bea", "team": "Los Tigres"})
    )

    edits = {m["channel"]: m["content"] for m in messages(outcome) if m["type"] == "message_edited"}
    assert edits == {
        "dm:bea": expected("teams.closed.invitation_joined", team="Los Tigres"),
        "thread:Los Tigres": expected(
            "teams.closed.request_joined", member=mention_of(sandbox, "bea")
        ),
    }


# -- point 5: whoever waits hears how it ended ------------------------------------------------
async def test_a_declined_join_request_is_reported_in_the_members_language(
    sandbox: Sandbox,
) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    asked = ok(await sandbox.run("dani", "team join", {"team": "Los Tigres"}))
    assert reply_text(asked) == english("teams.join.requested", team="Los Tigres")

    outcome = ok(await sandbox.click("ana", label=decline_label()))

    [dm] = messages(outcome, "dm:dani")
    assert dm["content"] == english("teams.outcome.request_declined", team="Los Tigres")
    assert command_mention(sandbox, "team", "list") in dm["content"]


async def test_an_accepted_join_request_is_reported_too(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.click("ana", label=accept_label()))

    [dm] = messages(outcome, "dm:bea")
    assert dm["content"] == expected("teams.outcome.request_accepted", team="Los Tigres")


async def test_an_expired_join_request_is_reported_to_the_member_who_asked(
    sandbox: Sandbox,
) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.advance(timedelta(hours=49)))

    [dm] = messages(outcome, "dm:bea")
    assert dm["content"] == expected("teams.outcome.request_expired", team="Los Tigres")


async def test_a_request_beaten_by_a_full_team_or_a_disband_is_reported(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(
        members=members("ana", "bea", "carlos", "dani", "eva", "fede"),
        settings={"teams": {"max_size": 2}},
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
    ok(await sandbox.run("carlos", "team create", {"name": "Los Pumas"}))
    ok(await sandbox.run("dani", "team join", {"team": "Los Pumas"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@eva"}))

    filled = ok(await sandbox.click("eva", label=accept_label(), where="dm"))
    ok(await sandbox.run("carlos", "team disband"))
    disbanded = ok(await sandbox.click("carlos", label=expected("teams.buttons.disband")))

    [full] = messages(filled, "dm:bea")
    assert full["content"] == expected("teams.outcome.request_full", team="Los Tigres")
    [gone] = messages(disbanded, "dm:dani")
    assert gone["content"] == expected("teams.outcome.request_disbanded", team="Los Pumas")


async def test_the_inviter_hears_a_decline_an_expiry_and_a_team_joined_elsewhere(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await make_sandbox(members=members("ana", "bea", "carlos", "dani", "eva"))
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("carlos", "team create", {"name": "Los Pumas", "open": True}))
    for invitee in ("bea", "dani", "eva"):
        ok(await sandbox.run("ana", "team invite", {"member": f"@{invitee}"}))

    declined = ok(await sandbox.click("bea", label=decline_label(), where="dm"))
    elsewhere = ok(await sandbox.run("dani", "team join", {"team": "Los Pumas"}))
    expired = ok(await sandbox.advance(timedelta(hours=49)))

    bea, dani, eva = (mention_of(sandbox, h) for h in ("bea", "dani", "eva"))
    [dm] = messages(declined, "dm:ana")
    assert dm["content"] == expected(
        "teams.outcome.invitation_declined", member=bea, team="Los Tigres"
    )
    [dm] = messages(elsewhere, "dm:ana")
    assert dm["content"] == expected(
        "teams.outcome.invitation_joined_elsewhere", member=dani, team="Los Tigres"
    )
    [dm] = messages(expired, "dm:ana")
    assert dm["content"] == expected(
        "teams.outcome.invitation_expired", member=eva, team="Los Tigres"
    )


# -- point 4: the log names the members --------------------------------------------------------
async def test_log_names_who_was_invited_moved_and_gone(sandbox: Sandbox) -> None:
    await create_team(sandbox, "ana", "Los Tigres", "dani")
    ok(await sandbox.run("carlos", "team create", {"name": "Los Pumas"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))
    ok(await sandbox.run("olga", "teamadmin move", {"member": "@carlos", "team": "Los Tigres"}))
    ok(await sandbox.leave("dani"))

    outcome = ok(await sandbox.run("olga", "teamadmin log", {"team": "Los Tigres"}))

    text = sandbox.readable(outcome.replies[0]["embeds"][0]["description"])
    actions = [line.split(" · ", 1)[1] for line in text.splitlines()]

    def line(actor: str, key: str, member: str) -> str:
        action = expected(f"teams.audit.{key}", member=mention_of(sandbox, member))
        return sandbox.readable(f"{mention_of(sandbox, actor)} {action} **Los Tigres**")

    assert actions[:3] == [
        line("dani", "team_member_left_server", "dani"),
        line("olga", "organizer_member_moved_in", "carlos"),
        line("ana", "team_invited", "bea"),
    ]
    assert actions[1] == "@olga movió a @carlos a **Los Tigres**"


# -- points 9 and 10: plurals, refusals that fit the reader, the status -------------------------
async def test_one_free_place_in_english(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members=members("ana", dani=MemberSpec(roles=("participant",), locale="en-US")),
        settings={"teams": {"max_size": 2}},
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))

    outcome = ok(await sandbox.run("dani", "team list"))

    value = outcome.replies[0]["embeds"][0]["fields"][0]["value"]
    assert value == english(
        "teams.list.free", size=1, max=2, count=1, joining=Message("teams.info.open")
    )
    assert "1 free place ·" in value


async def test_a_full_team_is_refused_in_words_that_fit_who_asks(
    make_sandbox: MakeSandbox,
) -> None:
    """Only someone looking for a team is told to look for another one."""
    sandbox = await make_sandbox(
        members=members("ana", "bea", "carlos", olga=MemberSpec(roles=("organizer",))),
        settings={"teams": {"max_size": 2}},
    )
    await create_team(sandbox, "ana", "Los Tigres", "bea")

    invite = ok(await sandbox.run("ana", "team invite", {"member": "@carlos"}))
    match = ok(await sandbox.run("ana", "lft match"))
    move = ok(
        await sandbox.run("olga", "teamadmin move", {"member": "@carlos", "team": "Los Tigres"})
    )
    join = ok(await sandbox.run("carlos", "team join", {"team": "Los Tigres"}))

    full = {"team": "Los Tigres", "count": 2}
    assert_reply(invite, "teams.errors.team_full_invite", **full)
    assert_reply(match, "teams.errors.team_full_match", **full)
    assert_reply(move, "teams.errors.team_full_move", **full)
    assert_reply(join, "teams.errors.team_full", **full)
    hint = command_mention(sandbox, "team", "list")
    assert [hint in reply_text(o) for o in (invite, match, move, join)] == [
        False,
        False,
        False,
        True,
    ]


async def test_hints_stay_command_mentions_after_a_restart(sandbox: Sandbox) -> None:
    """After a restart the commands are not synced again (nothing changed): the bot reads their
    ids back."""
    assert sandbox.bot is not None
    ids = dict(sandbox.bot.command_ids)
    await sandbox.restart()

    outcome = ok(await sandbox.run("bea", "team leave"))

    assert sandbox.bot.command_ids == ids
    assert f"</team create:{ids['team']}>" in reply_text(outcome)


async def test_status_says_since_when_the_bot_runs_in_words_that_read_naturally(
    sandbox: Sandbox,
) -> None:
    assert sandbox.bot is not None
    since = discord_ts(sandbox.bot.started_at, "R")

    outcome = ok(await sandbox.run("olga", "admin status"))

    fields = {f["name"]: f["value"] for f in outcome.replies[0]["embeds"][0]["fields"]}
    assert fields[expected("core.status.uptime")] == expected(
        "core.status.uptime_value", since=since
    )
    assert expected("core.status.uptime_value", ENGLISH, since=since) == f"started {since}"
    assert expected("core.status.uptime_value", since=since) == f"desde {since}"
