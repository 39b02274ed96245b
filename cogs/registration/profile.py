"""`/profile`: a member's country (ISO 3166, named in their language) and Hugging Face user."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from bot.discord.replies import defer, locale_of, send, tr
from bot.i18n import language_of
from bot.services import registration
from bot.services.registration import ProfileView
from bot.text import Safe, neutralize

HUB_USER_MAX = 200  # a pasted profile URL; the service enforces the real rules


class Profile(commands.Cog):
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="profile",
        description="Your country and your Hugging Face user (no options: shows your profile)",
    )
    @app_commands.describe(
        country="Your country (pick from the list)", hub_user="Your Hugging Face user"
    )
    @app_commands.guild_only()
    async def profile(
        self,
        interaction: discord.Interaction[Any],
        country: app_commands.Range[str, 1, 100] | None = None,
        hub_user: app_commands.Range[str, 1, HUB_USER_MAX] | None = None,
    ) -> None:
        await defer(interaction)
        user_id, now = interaction.user.id, self.bot.clock.now()
        if country is None and hub_user is None:
            async with self.bot.db.read() as session:
                view = await registration.get_profile(session, user_id)
            await send(interaction, profile_text(interaction, view, updated=False))
            return
        view = await self.bot.db.write(
            lambda session: registration.update_profile(
                session, user_id=user_id, country=country, hub_user=hub_user, now=now
            )
        )
        await send(interaction, profile_text(interaction, view, updated=True))

    @profile.autocomplete("country")
    async def countries(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        language = language_of(locale_of(interaction))
        return [
            app_commands.Choice(name=name[:100], value=code)
            for name, code in registration.country_choices(current[:100], language)
        ]


def profile_text(interaction: discord.Interaction[Any], view: ProfileView, *, updated: bool) -> str:
    unset = tr(interaction, "registration.profile.unset")
    language = language_of(locale_of(interaction))
    country = registration.country_name(view.country, language) if view.country else unset
    hub_user = neutralize(view.hub_user) if view.hub_user else unset
    lines = [
        tr(
            interaction, "registration.profile.updated" if updated else "registration.profile.title"
        ),
        tr(interaction, "registration.profile.country", country=Safe(neutralize(country))),
        tr(interaction, "registration.profile.hub_user", hub_user=Safe(hub_user)),
    ]
    return "\n".join(lines)


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Profile(bot))
