"""`/team`: forming teams. Parse, defer, call the teams service, make Discord follow."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import HackBot
from bot.discord.checks import member_has_role, require_role
from bot.discord.mentions import channel_mention, mention
from bot.discord.replies import defer, send, tr
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.services import teams
from bot.services.members import locales_of
from bot.services.registration.profiles import hub_users
from bot.services.teams import InvitationView
from cogs.teams.effects import TeamDiscord
from cogs.teams.embeds import team_card, team_list_message
from cogs.teams.options import MAX_PAGE, MEMBER_LOCK, NAME_MAX, rules_of, team_name_choices
from cogs.teams.views import DYNAMIC_ITEMS, answer_buttons, disband_button, inbox_button

log = logging.getLogger(__name__)


class Teams(
    commands.GroupCog, group_name="team", group_description="Create, join and manage your team"
):
    """Every command that changes teams needs the participant role (organizers may act for
    participants); `/team info` and `/team list` only read what the forum shows anyway, so
    everyone in the event's server may use them."""

    member_lock = MEMBER_LOCK  # a member runs one team command at a time (bot.discord.tree)

    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        self.discord = TeamDiscord(bot)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    # -- autocomplete (never deferred: served from the database) ----------------------------
    async def team_names(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await team_name_choices(self.bot, current)

    # -- commands ---------------------------------------------------------------------------
    @app_commands.command(name="create", description="Create a team; you become its captain")
    @app_commands.describe(
        name="The team's name",
        description="What the team will build",
        open="Anyone may join without your approval",
    )
    @app_commands.guild_only()
    @require_role("participant")
    async def create(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, NAME_MAX],
        description: app_commands.Range[str, 1, 500] | None = None,
        open: bool = False,
    ) -> None:
        await defer(interaction)
        bot, rules, now = self.bot, rules_of(self.bot), self.bot.clock.now()
        async with bot.db.read() as session:
            display = await teams.check_can_create(
                session, rules, captain_id=interaction.user.id, name=name, now=now
            )
        try:
            thread, post = await self.discord.create_spaces(
                display, interaction.user, description, open
            )
        except (discord.HTTPException, LookupError) as exc:
            log.warning("could not create the spaces of team %r: %s", display, exc)
            await send(interaction, tr(interaction, "teams.create.discord_failed"))
            return
        try:
            created = await bot.db.write(
                lambda session: teams.create_team(
                    session,
                    rules,
                    captain_id=interaction.user.id,
                    name=display,
                    description=description,
                    open=open,
                    now=now,
                    thread_id=thread.id,
                    forum_post_id=post.id,
                )
            )
        except Exception:
            await self.discord.delete_quietly(post)
            await self.discord.delete_quietly(thread)
            raise
        team = created.team
        await self.discord.close_leftovers(created)
        await thread.send(
            self.discord.public(
                "teams.thread.welcome", team=team.name, captain=mention(interaction.user.id)
            ),
            allowed_mentions=discord.AllowedMentions(users=[interaction.user]),
        )
        await send(
            interaction,
            tr(
                interaction,
                "teams.create.done",
                team=team.name,
                thread=channel_mention(thread.id),
                count=team.max_size,
            ),
        )

    @app_commands.command(name="invite", description="Invite a member to your team")
    @app_commands.describe(member="Who to invite")
    @app_commands.guild_only()
    @require_role("participant")
    async def invite(self, interaction: discord.Interaction[Any], member: discord.Member) -> None:
        await defer(interaction)
        bot = self.bot
        if member.bot:
            await send(interaction, tr(interaction, "teams.invite.bot"))
            return
        if not any(member_has_role(bot, member, key) for key in ("participant", "organizer")):
            await send(
                interaction,
                tr(
                    interaction,
                    "teams.errors.invitee_not_participant",
                    member=mention(member.id),
                    role=Message("core.roles.participant"),
                ),
            )
            return
        now, rules = bot.clock.now(), rules_of(bot)

        async def invite(session: AsyncSession) -> tuple[InvitationView, str | None]:
            invitation = await teams.invite(
                session, rules, actor_id=interaction.user.id, invitee_id=member.id, now=now
            )
            return invitation, (await locales_of(session, [member.id])).get(member.id)

        invitation, locale = await bot.db.write(invite)
        text = bot.catalogs.t(
            locale,
            "teams.invite.dm",
            inviter=mention(interaction.user.id),
            team=invitation.team.name,
            expires=discord_ts(invitation.expires_at, "R"),
        )
        view = answer_buttons("inv", invitation.id, locale, bot)
        try:
            message = await member.send(text, view=view)
        except discord.Forbidden:
            # DMs closed: the channel learns only that a message waits for the member; the
            # invitation itself is shown to them alone, when they press the notice's button.
            # The notice is not the invitation's message, so closing it never edits it.
            await bot.channel("teams").send(
                bot.catalogs.t(locale, "teams.invite.waiting", member=mention(member.id)),
                view=inbox_button(invitation.id, locale, bot),
                allowed_mentions=discord.AllowedMentions(users=[member]),
            )
            delivered_by_dm = False
        else:
            delivered_by_dm = True
            await bot.db.write(
                lambda session: teams.set_invitation_message(
                    session, invitation.id, message.channel.id, message.id
                )
            )
        key = "teams.invite.sent" if delivered_by_dm else "teams.invite.sent_public"
        await send(
            interaction,
            tr(
                interaction,
                key,
                member=mention(member.id),
                expires=discord_ts(invitation.expires_at, "R"),
            ),
        )

    @app_commands.command(name="join", description="Join a team, or ask its captain to let you in")
    @app_commands.describe(team="The team's name")
    @app_commands.guild_only()
    @require_role("participant")
    async def join(
        self, interaction: discord.Interaction[Any], team: app_commands.Range[str, 1, NAME_MAX]
    ) -> None:
        await defer(interaction)
        bot = self.bot
        now = bot.clock.now()
        result = await bot.db.write(
            lambda session: teams.join(
                session, rules_of(bot), user_id=interaction.user.id, team_name=team, now=now
            )
        )
        if result.kind == "joined" and result.change is not None:
            # The member's answer first: it travels on the interaction webhook, which Discord's
            # rate limits exempt, while the thread and forum calls wait for their buckets.
            await send(interaction, tr(interaction, "teams.join.joined", team=result.team.name))
            await self.discord.apply(result.change)
            return
        assert result.request_id is not None
        request_id, team_view = result.request_id, result.team
        message = await self.discord.deliver_request(team_view, interaction.user.id, request_id)
        if message is None:
            # Neither the thread nor the captain's DMs took it: withdrawn, nothing left pending.
            await bot.db.write(
                lambda session: teams.withdraw_request(session, request_id, bot.clock.now())
            )
            await send(
                interaction,
                tr(
                    interaction,
                    "teams.join.request_undelivered",
                    team=team_view.name,
                    captain=mention(team_view.captain_id),
                ),
            )
            return
        await bot.db.write(
            lambda session: teams.set_request_message(
                session, request_id, message.channel.id, message.id
            )
        )
        await send(interaction, tr(interaction, "teams.join.requested", team=team_view.name))

    @app_commands.command(name="leave", description="Leave your team")
    @app_commands.guild_only()
    @require_role("participant")
    async def leave(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        change = await self.bot.db.write(
            lambda session: teams.leave(session, rules, user_id=interaction.user.id, now=now)
        )
        await self.discord.apply(change)
        key = "teams.leave.disbanded" if change.disbanded else "teams.leave.done"
        await send(interaction, tr(interaction, key, team=change.team.name))

    @app_commands.command(name="kick", description="Remove a member from your team (captain)")
    @app_commands.describe(member="The member to remove")
    @app_commands.guild_only()
    @require_role("participant")
    async def kick(self, interaction: discord.Interaction[Any], member: discord.Member) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        change = await self.bot.db.write(
            lambda session: teams.kick(
                session, rules, actor_id=interaction.user.id, member_id=member.id, now=now
            )
        )
        await self.discord.apply(change)
        await send(
            interaction,
            tr(
                interaction,
                "teams.kick.done",
                member=mention(member.id),
                team=change.team.name,
            ),
        )

    @app_commands.command(name="transfer", description="Make another member the captain (captain)")
    @app_commands.describe(member="The new captain")
    @app_commands.guild_only()
    @require_role("participant")
    async def transfer(self, interaction: discord.Interaction[Any], member: discord.Member) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        team = await self.bot.db.write(
            lambda session: teams.transfer(
                session, rules, actor_id=interaction.user.id, member_id=member.id, now=now
            )
        )
        thread = await self.discord.channel_by_id(team.thread_id)
        if isinstance(thread, discord.Thread):
            await thread.send(
                self.discord.public("teams.thread.new_captain", member=mention(member.id)),
                allowed_mentions=discord.AllowedMentions(users=[member]),
            )
        await send(
            interaction,
            tr(interaction, "teams.transfer.done", member=mention(member.id), team=team.name),
        )
        await self.discord.move_requests(team, interaction.user.id)

    @app_commands.command(name="rename", description="Rename your team (captain)")
    @app_commands.describe(name="The new name")
    @app_commands.guild_only()
    @require_role("participant")
    async def rename(
        self, interaction: discord.Interaction[Any], name: app_commands.Range[str, 1, NAME_MAX]
    ) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        result = await self.bot.db.write(
            lambda session: teams.rename(
                session, rules, actor_id=interaction.user.id, name=name, now=now
            )
        )
        await self.discord.rename_spaces(result.team)
        await send(
            interaction,
            tr(interaction, "teams.rename.done", old=result.old_name, team=result.team.name),
        )

    @app_commands.command(
        name="disband", description="Disband your team (captain; asks to confirm)"
    )
    @app_commands.guild_only()
    @require_role("participant")
    async def disband(self, interaction: discord.Interaction[Any]) -> None:
        """Asks the captain to confirm with a button (:class:`cogs.teams.views.DisbandButton`),
        which disbands the team."""
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        async with self.bot.db.read() as session:
            team = await teams.check_can_disband(
                session, rules, actor_id=interaction.user.id, now=now
            )
        await send(
            interaction,
            tr(interaction, "teams.disband.confirm", team=team.name, count=team.size),
            view=disband_button(
                team, interaction.user.id, tr(interaction, "teams.buttons.disband")
            ),
        )

    @app_commands.command(name="info", description="Show a team, or your own")
    @app_commands.describe(team="The team's name (default: yours)")
    @app_commands.guild_only()
    async def info(
        self,
        interaction: discord.Interaction[Any],
        team: app_commands.Range[str, 1, NAME_MAX] | None = None,
    ) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        async with self.bot.db.read() as session:
            found = await (
                teams.find_team(session, team, rules=rules, now=now)
                if team
                else teams.team_of(session, interaction.user.id, rules=rules, now=now)
            )
            hubs = await hub_users(session, found.member_ids) if found is not None else {}
        if found is None:
            await send(interaction, tr(interaction, "teams.errors.not_in_team"))
            return
        await send(interaction, embed=team_card(interaction, found, hubs))

    @app_commands.command(name="list", description="All teams, with their free places")
    @app_commands.describe(page="Page number")
    @app_commands.guild_only()
    async def list_(
        self, interaction: discord.Interaction[Any], page: app_commands.Range[int, 1, MAX_PAGE] = 1
    ) -> None:
        await defer(interaction)
        embed, view = await team_list_message(self.bot, interaction, page)
        await send(interaction, embed=embed, view=view)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """A member who leaves the event's server leaves their team (captaincy passes on);
        leaving any other server the bot is in changes nothing."""
        if payload.guild_id != self.bot.place.guild_id:
            return
        await self.member_left(payload.user.id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Members who left while the bot was away leave their teams too."""
        guild = self.bot.guild
        if guild is None or not guild.chunked:
            return
        async with self.bot.db.read() as session:
            known = await teams.known_member_ids(session)
        for user_id in sorted(known):
            if guild.get_member(user_id) is None:
                await self.member_left(user_id)

    async def member_left(self, user_id: int) -> None:
        rules, now = rules_of(self.bot), self.bot.clock.now()
        result = await self.bot.db.write(
            lambda session: teams.member_left_server(session, rules, user_id=user_id, now=now)
        )
        if result.change is not None:
            await self.discord.apply(result.change)
        for item in result.closed:
            await self.discord.close_item(item)
        if result.lft_post_removed:
            await self.discord.delete_quietly(
                await self.discord.channel_by_id(result.lft_post_removed)
            )

    join.autocomplete("team")(team_names)
    info.autocomplete("team")(team_names)


async def setup(bot: HackBot) -> None:
    teams = bot.settings.config.teams
    bot.command_params.update(name_min=teams.name_min_length, name_max=teams.name_max_length)
    await bot.add_cog(Teams(bot))
