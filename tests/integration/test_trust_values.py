"""Trust, point 4 of issue #16: the smaller holes, each forged through the local Discord.

The public notice to a member whose DMs are closed, team names with look-alike letters,
out-of-range values in options and custom_ids, and the looking-for-team post's title.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.discord.mentions import mention
from bot.discord.timestamps import discord_ts
from bot.i18n import catalogs
from bot.text import clean
from sandbox.harness import MemberSpec, StepOutcome
from tests.integration.conftest import MakeSandbox
from tests.integration.teams_support import (
    audit_log,
    invitations,
    lft_profile,
    members,
    messages,
    of_type,
    ok,
    team_state,
)


def says(outcome: StepOutcome, key: str, **params: Any) -> None:
    reply = outcome.replies[-1]
    assert reply["content"] == catalogs().t("es-ES", key, **params), reply
    assert reply["ephemeral"] is True


# -- DMs closed: the channel learns only that a message waits ------------------------------------
async def test_the_public_notice_does_not_reveal_the_invitation(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members=members("ana", "carlos", bea=MemberSpec(roles=("participant",), dms=False))
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    [notice] = messages(outcome)
    assert notice["channel"] == "equipos"
    bea = mention(sandbox.discord.user_id("bea"))
    assert notice["content"] == catalogs().t("es-ES", "teams.invite.waiting", member=bea)
    assert "Tigres" not in notice["content"] and "ana" not in sandbox.readable(notice["content"])
    assert notice["buttons"] == ["Ver mensaje"]
    assert notice["mentions"] == {"everyone": False, "roles": [], "users": ["bea"]}
    [invitation] = await invitations(sandbox)
    assert invitation.message_id is None  # never edited to show how it ended

    nosy = ok(await sandbox.click("carlos", label="Ver mensaje", where="#equipos"))
    says(nosy, "teams.errors.not_for_you")
    assert nosy.effects == []

    opened = ok(await sandbox.click("bea", label="Ver mensaje", where="#equipos"))
    [shown] = opened.replies
    assert shown["ephemeral"] is True
    assert shown["content"] == catalogs().t(
        "es-ES",
        "teams.invite.dm",
        inviter=mention(sandbox.discord.user_id("ana")),
        team="Los Tigres",
        expires=discord_ts(invitation.expires_at, "R"),
    )
    assert shown["buttons"] == ["Aceptar", "Rechazar"]
    assert opened.effects == []

    accepted = ok(await sandbox.click("bea", label="Aceptar", where="#equipos"))
    assert of_type(accepted, "thread_member_added") == [
        {"type": "thread_member_added", "thread": "Los Tigres", "member": "bea"}
    ]
    again = ok(await sandbox.click("bea", label="Ver mensaje", where="#equipos"))
    says(again, "teams.errors.invitation_closed")


# -- look-alike letters --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "L\u043es Tigres",  # Cyrillic small o
        "Los \u0422igres",  # Cyrillic capital Te
        "L\u03bfs \u03a4igres",  # Greek small omicron, capital Tau
        "Los Tigr\u0435s",  # Cyrillic small ie
        "\U0001d40b\U0001d428\U0001d42c Tigres",  # mathematical bold (NFKC)
    ],
)
async def test_a_look_alike_name_is_taken(make_sandbox: MakeSandbox, name: str) -> None:
    sandbox = await make_sandbox(members=members("ana", "bea"))
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("bea", "team create", {"name": name}))

    says(outcome, "teams.errors.name_taken", name=clean(name))
    assert outcome.effects == []
    assert [t["name"] for t in await team_state(sandbox)] == ["Los Tigres"]
    # And the look-alike finds the team.
    joined = ok(await sandbox.run("bea", "team join", {"team": name}))
    assert "Los Tigres" in joined.replies[-1]["content"]


# -- option values Discord's client would never send ---------------------------------------------
@pytest.mark.parametrize("offset", [float("inf"), float("-inf"), float("nan"), 1e9, "-6"])
async def test_a_forged_utc_offset_is_answered(make_sandbox: MakeSandbox, offset: Any) -> None:
    sandbox = await make_sandbox(members=members("bea"))

    outcome = await sandbox.forge(
        "bea", "lft post", {"skills": "python"}, raw={"utc_offset": offset}
    )

    assert outcome.errors == []
    says(outcome, "core.errors.invalid_option", option="zona-horaria")
    assert outcome.effects == []
    assert await lft_profile(sandbox, "bea") is None


@pytest.mark.parametrize(
    ("command", "options", "raw", "option"),
    [
        ("team list", {}, {"page": 10**30}, "página"),
        ("team list", {}, {"page": 0}, "página"),
        ("team list", {}, {"page": "2"}, "página"),
        ("team create", {"name": "x"}, {"name": "x" * 10_000}, "nombre"),
        ("team create", {"name": "x"}, {"open": "yes"}, "abierto"),
    ],
)
async def test_forged_option_values_are_answered(
    make_sandbox: MakeSandbox,
    command: str,
    options: dict[str, Any],
    raw: dict[str, Any],
    option: str,
) -> None:
    sandbox = await make_sandbox(members=members("ana"))

    outcome = await sandbox.forge("ana", command, options, raw=raw)

    assert outcome.errors == []
    path = command.replace(" ", ".")
    assert catalogs().get("es", f"commands.{path}.options.{next(iter(raw))}.name") == option
    says(outcome, "core.errors.invalid_option", option=option)
    assert outcome.effects == []
    assert await team_state(sandbox) == []


# -- custom_ids a button of the bot never carries ------------------------------------------------
@pytest.mark.parametrize(
    "custom_id",
    [
        f"team:inv:{2**63}:1",
        f"team:inv:{10**40}:1",
        "team:inv:-1:1",
        "team:inv:1:7",
        "team:req:abc:0",
        "team:list:abc:n",
        f"team:list:{10**30}:n",
        "team:list:2:x",
        "team:open:99999999999999999999999",
        "team:bogus",
        "team:inv:1:1:extra",
    ],
)
async def test_a_forged_custom_id_is_answered(make_sandbox: MakeSandbox, custom_id: str) -> None:
    sandbox = await make_sandbox(members=members("ana", "bea"))
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))
    before = (await team_state(sandbox), len(await audit_log(sandbox)))

    outcome = await sandbox.forge_click("bea", custom_id, dm=True)

    assert outcome.errors == [], outcome.errors
    says(outcome, "core.errors.invalid_button")
    assert outcome.effects == []
    assert (await team_state(sandbox), len(await audit_log(sandbox))) == before
    assert [i.status for i in await invitations(sandbox)] == ["pending"]


async def test_a_forged_page_within_range_still_pages(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=members("ana"))
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.forge_click("ana", "team:list:1000:n", channel="general"))

    [embed] = outcome.replies[-1]["embeds"]
    assert embed["footer"] == catalogs().t("es-ES", "teams.list.page", page=1, pages=1)


# -- the looking-for-team post's title -----------------------------------------------------------
async def test_the_lft_post_title_is_plain_words(make_sandbox: MakeSandbox) -> None:
    handle = "**Eve** @everyone <@&1> [x](https://evil.example)"
    sandbox = await make_sandbox(members={handle: ("participant",)})

    outcome = ok(await sandbox.run(handle, "lft post", {"skills": "python"}))

    [post] = of_type(outcome, "forum_post_created")
    assert post["title"] == "Eve everyone x"
