"""The Spanish copy, word for word, of the most visible team messages.

Every other integration test asserts by catalog key and parameters (``replies.py``), so an edit
of ``bot/locales/es/teams.toml`` breaks only these tests: the ones a copy edit of these
messages is meant to break. Update them together with the catalog.

Mentions, channels and times are shown as a member reads them (``sandbox.readable``); command
mentions (``</team invite:id>``) as the bot writes them: each client shows them in its language.
"""

from __future__ import annotations

from sandbox.harness import Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import command_mention
from tests.integration.teams_support import members, messages, ok, reply_text


async def test_team_created(sandbox: Sandbox) -> None:
    outcome = ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    text = reply_text(outcome)
    # The hint is a command mention with the synced id; read as /team invite.
    assert command_mention(sandbox, "team", "invite") in text
    assert sandbox.readable(text) == (
        "Equipo **Los Tigres** creado. Tienes la capitanía. "
        "Hilo privado del equipo: #Los Tigres. "
        "Caben hasta 5 personas: invita con /team invite."
    )


async def test_invitation_dm(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))

    [dm] = messages(outcome)
    assert sandbox.readable(dm["content"]) == (
        "@ana te invita a unirte al equipo **Los Tigres**. "
        "La invitación caduca 2024-03-22 10:00 UTC."
    )


async def test_join_request(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))

    outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    [request] = messages(outcome)
    assert sandbox.readable(request["content"]) == "@ana: @bea quiere unirse a **Los Tigres**."
    assert request["buttons"] == ["Aceptar", "Rechazar"]


async def test_team_full_refusal(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members=members("ana", "bea", "carlos"), settings={"teams": {"max_size": 2}}
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.run("carlos", "team join", {"team": "Los Tigres"}))

    assert reply_text(outcome) == (
        "El equipo Los Tigres está completo (2 miembros). "
        f"Busca otro equipo con {command_mention(sandbox, 'team', 'list')} "
        f"o {command_mention(sandbox, 'lft', 'match')}."
    )


async def test_one_free_place_is_singular(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(
        members=members("ana", "bea", "carlos"), settings={"teams": {"max_size": 2}}
    )
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))

    outcome = ok(await sandbox.run("carlos", "team list"))

    [embed] = outcome.replies[0]["embeds"]
    assert embed["fields"][0]["value"] == "1/2 miembros · 1 plaza libre · abierto, sin aprobación"


async def test_disband_confirmation(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.run("ana", "team disband"))

    assert reply_text(outcome) == (
        "¿Quieres disolver **Los Tigres**? Sus 2 miembros se quedarán sin equipo y el hilo "
        "quedará archivado. No se puede deshacer. Si no quieres disolverlo, ignora este mensaje."
    )
    assert outcome.replies[-1]["buttons"] == ["Sí, disolver el equipo"]


async def test_declined_join_request_is_reported_by_dm(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))

    outcome = ok(await sandbox.click("ana", label="Rechazar"))

    [dm] = messages(outcome, "dm:bea")
    assert dm["content"] == (
        "La capitanía de **Los Tigres** rechazó tu solicitud para unirte. "
        f"Busca otro equipo con {command_mention(sandbox, 'team', 'list')} "
        f"o {command_mention(sandbox, 'lft', 'match')}."
    )
