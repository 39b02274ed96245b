"""A captain confirms disbanding the team while an invitee presses Accept. On PostgreSQL the two
transactions can deadlock (PostgreSQL then aborts one); the aborted one is run again, so the
disband always wins in the end and nobody reads "something went wrong". Repeated, in both orders
of arrival, on SQLite and (with TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

import asyncio

from bot.i18n import catalogs
from tests.integration.conftest import MakeSandbox
from tests.integration.teams_support import invitations, members, ok, team_state

ROUNDS = 8
UNEXPECTED = catalogs().t("es", "core.errors.unexpected", error_id="X").split("`")[0]
CONFIRM = catalogs().t("es", "teams.buttons.disband")


async def test_disband_racing_an_accept_always_disbands(make_sandbox: MakeSandbox) -> None:
    captains = [f"c{i}" for i in range(ROUNDS)]
    invitees = [f"i{i}" for i in range(ROUNDS)]
    sandbox = await make_sandbox(members=members(*captains, *invitees))

    for round_, (captain, invitee) in enumerate(zip(captains, invitees, strict=True)):
        name = f"Equipo {round_}"
        ok(await sandbox.run(captain, "team create", {"name": name, "open": False}))
        ok(await sandbox.run(captain, "team invite", {"member": f"@{invitee}"}))
        [invitation] = [
            inv
            for inv in await invitations(sandbox)
            if sandbox.handle_of(inv.invitee_id) == invitee
        ]
        ok(await sandbox.run(captain, "team disband"))  # asks to confirm
        disband = sandbox.discord.click(captain, label=CONFIRM)
        accept = sandbox.discord.click(invitee, custom_id=f"team:inv:{invitation.id}:1", where="dm")
        # Both orders of arrival: the disband first in even rounds, the accept first in odd ones.
        actions = [disband, accept] if round_ % 2 == 0 else [accept, disband]

        outcome = await sandbox.step(lambda actions=actions: asyncio.gather(*actions))

        assert outcome.errors == [], (round_, outcome.errors)
        texts = [str(reply.get("content")) for replies in outcome.replies for reply in replies]
        assert not any(text.startswith(UNEXPECTED) for text in texts), (round_, texts)
        disband_replies = outcome.replies[0 if round_ % 2 == 0 else 1]
        assert disband_replies[-1]["content"] == catalogs().t(
            "es", "teams.disband.done", team=name
        ), (round_, disband_replies)
        assert await team_state(sandbox) == [], round_
