"""`/announce send | list | cancel`: organizers only (checked in code)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.app_commands import locale_str
from discord.ext import commands

from bot.app import HackBot
from bot.discord.checks import require_role
from bot.discord.mentions import channel_mention
from bot.discord.replies import defer, send, tr
from bot.errors import Forbidden, InvalidInput
from bot.models.announcements import (
    DM_AUDIENCES,
    DM_NOBODY,
    PING_EVERYONE,
    PING_MENTORS,
    PING_NOBODY,
    PING_PARTICIPANTS,
    PING_ROLE,
    PINGS,
)
from bot.services import announcements
from bot.services.announcements import Draft
from cogs.announcements.embeds import list_embed
from cogs.announcements.views import DYNAMIC_ITEMS, AnnounceModal

MEMBER_LOCK = "announcements"
ZONE_MAX = 64
WHEN_MAX = 32


def _choices(kind: str, values: tuple[str, ...]) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(
            name=locale_str(value.capitalize(), key=f"announcements.choices.{kind}.{value}"),
            value=value,
        )
        for value in values
    ]


class Announce(
    commands.GroupCog, group_name="announce", group_description="Organizer announcements"
):
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    @app_commands.command(
        name="send", description="Publish an announcement, now or later, with a preview"
    )
    @app_commands.describe(
        channel="Where to post it (default: the announcements channel)",
        post="Post it in the channel (false: DM only)",
        ping="Who the post mentions",
        role="The role to mention, when you choose a role",
        dm="Who also gets it by direct message",
        when="When to publish, such as 2024-03-21 18:00 (empty: now)",
        timezone="Your IANA time zone (default: the event's)",
    )
    @app_commands.choices(ping=_choices("ping", PINGS), dm=_choices("dm", DM_AUDIENCES))
    @app_commands.guild_only()
    @require_role("organizer")
    async def send_(  # noqa: PLR0917  # discord.py passes options by name
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel | None = None,
        post: bool = True,
        ping: str = PING_NOBODY,
        role: discord.Role | None = None,
        dm: str = DM_NOBODY,
        when: app_commands.Range[str, 1, WHEN_MAX] | None = None,
        timezone: app_commands.Range[str, 1, ZONE_MAX] | None = None,
    ) -> None:
        # A modal must be the first answer: everything here is checked without the network.
        draft = Draft(
            title="",
            body="",
            channel_id=self._channel_id(channel) if post else None,
            ping=ping if post else PING_NOBODY,
            ping_role_id=self._ping_role(ping, role) if post else None,
            dm_audience=dm,
            publish_at=self._when(when, timezone),
        )
        if draft.channel_id is None and draft.dm_audience == DM_NOBODY:
            raise InvalidInput("announcements.errors.nowhere")
        self._check_can_ping(draft)
        await interaction.response.send_modal(AnnounceModal(interaction, self.bot, draft))

    def _channel_id(self, channel: discord.TextChannel | None) -> int:
        target = channel or self.bot.channel("announcements")
        if not isinstance(target, discord.TextChannel):
            raise InvalidInput("announcements.errors.channel_unusable", channel="#announcements")
        me = target.guild.me
        if me is not None and not target.permissions_for(me).send_messages:
            raise InvalidInput(
                "announcements.errors.channel_unusable", channel=channel_mention(target.id)
            )
        return target.id

    def _ping_role(self, ping: str, role: discord.Role | None) -> int | None:
        if ping == PING_EVERYONE or (role is not None and role.is_default()):
            if not self.bot.settings.config.announcements.allow_everyone:
                raise Forbidden("announcements.errors.everyone_off")
            if ping != PING_EVERYONE:
                raise InvalidInput("announcements.errors.role_needed")
            return None
        if ping == PING_PARTICIPANTS:
            return self.bot.place.role_id("participant", self.bot)
        if ping == PING_MENTORS:
            return self.bot.place.role_id("mentor", self.bot)
        if ping == PING_ROLE:
            if role is None:
                raise InvalidInput("announcements.errors.role_needed")
            return role.id
        return None

    def _check_can_ping(self, draft: Draft) -> None:
        """Discord drops a ping the bot may not make (a role that is not mentionable, without
        the Mention everyone permission in the channel): refuse it instead of a silent post."""
        guild = self.bot.guild
        if draft.channel_id is None or draft.ping == PING_NOBODY or guild is None:
            return
        channel = guild.get_channel(draft.channel_id)
        if channel is None or guild.me is None:
            return
        if channel.permissions_for(guild.me).mention_everyone:
            return
        if draft.ping == PING_EVERYONE:
            raise InvalidInput("announcements.errors.cannot_ping", role="@everyone")
        role = guild.get_role(draft.ping_role_id) if draft.ping_role_id is not None else None
        if role is not None and not role.mentionable:
            raise InvalidInput("announcements.errors.cannot_ping", role=role.name)

    def _when(self, when: str | None, zone: str | None) -> Any:
        if not when:
            return None
        zone = zone or self.bot.settings.config.event.timezone
        return announcements.parse_when(when, zone, self.bot.clock.now())

    @app_commands.command(name="list", description="Scheduled announcements and the latest sent")
    @app_commands.guild_only()
    @require_role("organizer")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        limit = self.bot.settings.config.announcements.list_limit
        async with self.bot.db.read() as session:
            rows = await announcements.listing(session, limit=limit)
        await send(interaction, embed=list_embed(interaction, self.bot, rows))

    @app_commands.command(name="cancel", description="Cancel a scheduled announcement")
    @app_commands.describe(id="The announcement's number, as the list shows it")
    @app_commands.guild_only()
    @require_role("organizer")
    async def cancel(
        self, interaction: discord.Interaction[Any], id: app_commands.Range[int, 1, 2**31 - 1]
    ) -> None:
        await defer(interaction)
        now = self.bot.clock.now()
        await self.bot.db.write(
            lambda session: announcements.cancel(session, id, actor_id=interaction.user.id, now=now)
        )
        await send(interaction, tr(interaction, "announcements.cancel.done", id=id))


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Announce(bot))
