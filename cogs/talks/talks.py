"""`/talks`: the programme from the calendar, and the opt-in reminders (role and DMs)."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from bot.discord.mentions import channel_mention, role_mention
from bot.discord.replies import defer, send, tr
from bot.discord.timestamps import discord_ts
from bot.services import talks
from bot.text import Safe

log = logging.getLogger(__name__)
ALERTS_ROLE = "talk_alerts"


class Talks(
    commands.GroupCog, group_name="talks", group_description="The event's talks and reminders"
):
    """Everyone in the event's server may read the programme and subscribe."""

    member_lock = "talks"  # a member runs one talks command at a time (bot.discord.tree)

    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="list", description="The upcoming talks, with their times")
    @app_commands.guild_only()
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        now = self.bot.clock.now()
        async with self.bot.db.read() as session:
            found = await talks.upcoming(session, now, self.bot.settings.config.talks.list_size)
        if not found:
            await send(interaction, tr(interaction, "talks.list.empty"))
            return
        embed = discord.Embed(title=tr(interaction, "talks.list.title"))
        embed.description = "\n".join(
            tr(
                interaction,
                "talks.list.line",
                title=talk.title,
                at=discord_ts(talk.start, "F"),
                when=discord_ts(talk.start, "R"),
            )
            for talk in found
        )
        embed.set_footer(text=tr(interaction, "talks.list.footer"))
        await send(interaction, embed=embed)

    @app_commands.command(name="next", description="The next talk")
    @app_commands.guild_only()
    async def next_(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        now = self.bot.clock.now()
        async with self.bot.db.read() as session:
            talk = await talks.next_talk(session, now)
        if talk is None:
            await send(interaction, tr(interaction, "talks.next.none"))
            return
        if talk.start <= now:
            lines = [
                tr(
                    interaction,
                    "talks.next.live",
                    title=talk.title,
                    when=discord_ts(talk.start, "R"),
                )
            ]
        else:
            lines = [
                tr(
                    interaction,
                    "talks.next.line",
                    title=talk.title,
                    at=discord_ts(talk.start, "F"),
                    when=discord_ts(talk.start, "R"),
                )
            ]
        if talk.location:
            lines.append(tr(interaction, "talks.next.location", location=talk.location))
        if talk.description:
            lines.append(tr(interaction, "talks.next.description", description=talk.description))
        await send(interaction, "\n".join(lines))

    @app_commands.command(
        name="subscribe", description="Get talk reminders (alerts role and direct message)"
    )
    @app_commands.guild_only()
    async def subscribe(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        now, user_id = self.bot.clock.now(), interaction.user.id
        new = await self.bot.db.write(lambda session: talks.subscribe(session, user_id, now))
        if new:
            await self._remember_dm_channel(interaction)
        role = self.bot.role(ALERTS_ROLE)
        member = interaction.user
        has_role = role is not None and isinstance(member, discord.Member) and role in member.roles
        if not new and (role is None or has_role):
            await send(interaction, tr(interaction, "talks.subscribe.already"))
            return
        if role is None:
            await send(interaction, tr(interaction, "talks.subscribe.done"))
            return
        role_name = role_mention(role.id)  # replies allow no mention: shown, never pinged
        if not has_role:
            try:
                await self._member(interaction).add_roles(role, reason="/talks subscribe")
            except discord.HTTPException as exc:
                log.warning("could not give the talk alerts role to %s: %s", user_id, exc.status)
                await send(
                    interaction, tr(interaction, "talks.subscribe.role_failed", role=role_name)
                )
                return
        channel_id = self.bot.place.channel_id("talks", self.bot)
        channel = channel_mention(channel_id) if channel_id is not None else Safe("#talks")
        await send(
            interaction,
            tr(interaction, "talks.subscribe.done_role", role=role_name, channel=channel),
        )

    @app_commands.command(name="unsubscribe", description="Stop getting talk reminders")
    @app_commands.guild_only()
    async def unsubscribe(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        user_id = interaction.user.id
        was = await self.bot.db.write(lambda session: talks.unsubscribe(session, user_id))
        role = self.bot.role(ALERTS_ROLE)
        member = interaction.user
        had_role = role is not None and isinstance(member, discord.Member) and role in member.roles
        if had_role and role is not None:
            try:
                await self._member(interaction).remove_roles(role, reason="/talks unsubscribe")
            except discord.HTTPException as exc:
                log.warning("could not remove the talk alerts role of %s: %s", user_id, exc.status)
        if not (was or had_role):
            await send(interaction, tr(interaction, "talks.unsubscribe.not_subscribed"))
            return
        await send(interaction, tr(interaction, "talks.unsubscribe.done"))

    async def _remember_dm_channel(self, interaction: discord.Interaction[Any]) -> None:
        """Open the member's DM channel now, once, and keep its id: reminders then reach a
        thousand subscribers without opening a thousand DMs (about one a second on Discord).
        Closed DMs leave it unknown; reminders then try the usual way."""
        user, user_id = interaction.user, interaction.user.id
        try:
            channel = user.dm_channel or await user.create_dm()
        except discord.HTTPException as exc:
            log.info("could not open a DM with %s: %s", user_id, exc.status)
            return
        channel_id = channel.id
        await self.bot.db.write(lambda session: talks.set_dm_channel(session, user_id, channel_id))

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member who leaves the event's server gets no more reminder DMs."""
        if payload.guild_id != self.bot.place.guild_id:
            return
        user_id = payload.user.id
        await self.bot.db.write(lambda session: talks.unsubscribe(session, user_id))

    def _member(self, interaction: discord.Interaction[Any]) -> discord.Member:
        member = interaction.user
        assert isinstance(member, discord.Member)  # guild_only
        return member


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Talks(bot))
