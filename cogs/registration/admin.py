"""`/admin verify`, `/admin unverify` and `/admin registrations` (organizers only, audited)."""

from __future__ import annotations

import io
import logging
from typing import Any

import discord
from discord import app_commands

from bot.app import HackBot
from bot.discord.admin_group import AdminCommands
from bot.discord.checks import require_role
from bot.discord.mentions import mention
from bot.discord.replies import defer, locale_of, send, tr
from bot.errors import InvalidInput
from bot.i18n import language_of
from bot.services import registration
from bot.services.registration import link_by_organizer
from bot.services.registration.cli import report_lines
from bot.services.registration.imports import MAX_BYTES
from bot.text import Safe
from cogs.registration.effects import grant_roles, take_roles
from cogs.registration.options import REFERENCE_MAX, key_of, role_names

log = logging.getLogger(__name__)
VERIFIED = "registration.admin.verified"
VERIFIED_ROLE_FAILED = "registration.admin.verified_role_failed"
UNVERIFIED = "registration.admin.unverified"
UNVERIFIED_ROLE_FAILED = "registration.admin.unverified_role_failed"
ROLE_CHOICES = [
    app_commands.Choice(name="participants", value="as-participant"),
    app_commands.Choice(name="mentors", value="as-mentor"),
]


class RegistrationAdmin(AdminCommands):
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="verify", description="Link someone to their registration by hand")
    @app_commands.describe(
        member="Who you verify", registration="The registration's email or its number (#12)"
    )
    @app_commands.guild_only()
    @require_role("organizer")
    async def verify(
        self,
        interaction: discord.Interaction[Any],
        member: discord.Member,
        registration: app_commands.Range[str, 1, REFERENCE_MAX],
    ) -> None:
        await defer(interaction)
        bot, now = self.bot, self.bot.clock.now()
        key = key_of(bot) if "@" in registration else None
        reference = registration
        linked = await bot.db.write(
            lambda session: link_by_organizer(
                session,
                key,
                actor_id=interaction.user.id,
                user_id=member.id,
                reference=reference,
                now=now,
            )
        )
        granted = await grant_roles(bot, member.id, linked.roles)
        await send(
            interaction,
            tr(
                interaction,
                "registration.admin.verified"
                if granted
                else "registration.admin.verified_role_failed",
                member=mention(member.id),
                number=linked.registration_id,
                roles=role_names(interaction, linked.roles),
            ),
        )

    @app_commands.command(
        name="unverify",
        description="Undo someone's verification and remove their registration's roles",
    )
    @app_commands.describe(member="Who you unverify")
    @app_commands.guild_only()
    @require_role("organizer")
    async def unverify(self, interaction: discord.Interaction[Any], member: discord.Member) -> None:
        await defer(interaction)
        bot, now = self.bot, self.bot.clock.now()
        linked = await bot.db.write(
            lambda session: registration.unlink(
                session, actor_id=interaction.user.id, user_id=member.id, now=now
            )
        )
        taken = await take_roles(bot, member.id, linked.roles)
        await send(
            interaction,
            tr(
                interaction,
                UNVERIFIED if taken else UNVERIFIED_ROLE_FAILED,
                member=mention(member.id),
                number=linked.registration_id,
                roles=role_names(interaction, linked.roles),
            ),
        )

    @app_commands.command(
        name="registrations",
        description="Import a sign-up list (Eventbrite CSV or email,name,country,hub_user)",
    )
    @app_commands.describe(file="The CSV file", role="Which role the list gives")
    @app_commands.choices(role=ROLE_CHOICES)
    @app_commands.guild_only()
    @require_role("organizer")
    async def registrations(
        self,
        interaction: discord.Interaction[Any],
        file: discord.Attachment,
        role: app_commands.Choice[str],
    ) -> None:
        await defer(interaction)
        bot, now = self.bot, self.bot.clock.now()
        key = key_of(bot)
        if file.size > MAX_BYTES:
            raise InvalidInput("registration.errors.file_too_big", count=MAX_BYTES // (1024 * 1024))
        if not file.filename.lower().endswith((".csv", ".txt")):
            raise InvalidInput("registration.errors.not_csv")
        text = registration.decode(await file.read())
        as_role = role.value.removeprefix("as-")
        ticket_types = bot.settings.config.registration.ticket_types
        prepared = registration.prepare_text(key, text, role=as_role, ticket_types=ticket_types)
        report = await bot.db.write(lambda session: registration.store(session, prepared, now))
        locale = locale_of(interaction)
        lines = report_lines(report, language_of(locale))
        attachment = discord.File(
            io.BytesIO(("\n".join(lines) + "\n").encode("utf-8")),
            filename=f"registrations-{as_role}-report.txt",
        )
        summary = tr(
            interaction,
            "registration.admin.imported",
            role=Safe(tr(interaction, f"choices.{role.value}")),
            added=report.added,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=report.skipped,
        )
        await interaction.followup.send(summary, file=attachment, ephemeral=True)


async def setup(bot: HackBot) -> None:
    await bot.add_cog(RegistrationAdmin(bot))
