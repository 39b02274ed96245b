"""Helpers shared by the registration sandbox tests (no tests here): sign-up lists shaped like
the real ones, the import through the service with the sandbox's key, and reads of the real
database and of the local Discord's member roles."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from sqlalchemy import select

from bot.models.registration import MemberProfile, Registration
from bot.services import registration
from bot.services.registration import ImportReport
from sandbox.discord.models import Message
from sandbox.harness import SANDBOX_REGISTRATION_SECRET, Sandbox
from tests.integration.teams_support import uid

KEY = registration.registration_key(SANDBOX_REGISTRATION_SECRET)
TICKET = "Hackathon + Talleres"
EVENTBRITE_HEADER = (
    "Order #",
    "Order Date",
    "First Name",
    "Last Name",
    "Email",
    "Quantity",
    "Ticket Type",
    "Attendee #",
    "country",
    "Hugging Face user",
)


def eventbrite_csv(rows: Iterable[Sequence[str]]) -> str:
    """An Eventbrite attendee export: rows of (first, last, email, ticket, country, hub_user)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EVENTBRITE_HEADER)
    for number, (first, last, email, ticket, country, hub_user) in enumerate(rows, start=1):
        order, attendee = str(1000 + number), str(5000 + number)
        date = "2024-02-20 10:00:00"
        writer.writerow([order, date, first, last, email, "1", ticket, attendee, country, hub_user])
    return out.getvalue()


def plain_csv(rows: Iterable[Sequence[str]]) -> str:
    """A form's list without header: email[,name,country,hub_user]."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


async def import_csv(sandbox: Sandbox, text: str, role: str = "participant") -> ImportReport:
    assert sandbox.bot is not None and sandbox.settings is not None
    ticket_types = sandbox.settings.config.registration.ticket_types
    now = sandbox.clock.now()
    return await sandbox.bot.db.write(
        lambda session: registration.import_text(
            session, KEY, text, role=role, ticket_types=ticket_types, now=now
        )
    )


async def registrations(sandbox: Sandbox) -> list[Registration]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list(await session.scalars(select(Registration).order_by(Registration.id)))


async def registration_of(sandbox: Sandbox, handle: str) -> Registration | None:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return await registration.registration_of(session, uid(sandbox, handle))


async def profile_of(sandbox: Sandbox, handle: str) -> MemberProfile | None:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return await session.get(MemberProfile, uid(sandbox, handle))


def role_names(sandbox: Sandbox, handle: str) -> set[str]:
    """The names of the roles ``handle`` holds on the local Discord."""
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    member = guild.members[uid(sandbox, handle)]
    return {guild.roles[role_id].name for role_id in member.roles if role_id in guild.roles}


def welcome_messages(sandbox: Sandbox) -> list[Message]:
    """The messages of the welcome channel (not deleted)."""
    assert sandbox.settings is not None
    channel = sandbox.discord.state.resolve_where(
        "#" + str(sandbox.settings.config.registration.welcome_channel), sandbox.guild_id
    )
    ids = sandbox.discord.state.channel_messages.get(channel.id, [])
    found = [sandbox.discord.state.messages.get(i) for i in ids]
    return [m for m in found if m is not None and not m.deleted]
