"""`/teamadmin`: organizers lock team changes, move members and disband teams (all audited)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import HackBot
from bot.discord.checks import require_role
from bot.discord.mentions import mention
from bot.discord.replies import defer, send, tr
from bot.discord.timestamps import discord_ts
from bot.services import audit, teams
from bot.services.audit import AuditView
from bot.services.teams import LockState
from bot.text import Safe
from cogs.teams.effects import TeamDiscord
from cogs.teams.options import MEMBER_LOCK, NAME_MAX, rules_of, team_name_choices

LOG_LINES = 20


def log_line(interaction: discord.Interaction[Any], entry: AuditView) -> str:
    """An audit entry as organizers read it: who did what, to whom, in which team. Members are
    mentions (replies never ping: the bot allows no mention). A member who left the server did
    it themselves."""
    member = (
        mention(entry.member_id)
        if entry.member_id is not None
        else Safe(tr(interaction, "teams.audit.someone"))
    )
    actor_id = entry.actor_id if entry.actor_id is not None else entry.member_id
    action = tr(interaction, f"teams.audit.{entry.action.replace('.', '_')}", member=member)
    return tr(
        interaction,
        "teams.audit.line" if entry.subject else "teams.audit.line_no_subject",
        when=discord_ts(entry.at, "f"),
        actor=mention(actor_id) if actor_id is not None else Safe("-"),
        action=Safe(action),
        subject=entry.subject or "",
    )


class TeamAdmin(
    commands.GroupCog, group_name="teamadmin", group_description="Organizer tools for teams"
):
    member_lock = MEMBER_LOCK  # a member runs one team command at a time (bot.discord.tree)

    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        self.discord = TeamDiscord(bot)
        super().__init__()

    async def team_names(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return await team_name_choices(self.bot, current)

    @app_commands.command(name="lock", description="Lock every team change")
    @app_commands.guild_only()
    @require_role("organizer")
    async def lock(self, interaction: discord.Interaction[Any]) -> None:
        await self._set_lock(interaction, True)

    @app_commands.command(name="unlock", description="Allow team changes again")
    @app_commands.guild_only()
    @require_role("organizer")
    async def unlock(self, interaction: discord.Interaction[Any]) -> None:
        await self._set_lock(interaction, False)

    async def _set_lock(self, interaction: discord.Interaction[Any], locked: bool) -> None:
        await defer(interaction)
        now = self.bot.clock.now()
        rules = rules_of(self.bot)

        async def set_lock(session: AsyncSession) -> LockState:
            await teams.set_lock(session, locked=locked, actor_id=interaction.user.id, now=now)
            return await teams.get_lock_state(session, rules, now)

        state = await self.bot.db.write(set_lock)
        if locked:
            key = "teams.admin.locked"
        elif state.locked:
            key = "teams.admin.unlocked_but_deadline"
        else:
            key = "teams.admin.unlocked"
        await send(interaction, tr(interaction, key))

    @app_commands.command(name="move", description="Move a member into a team")
    @app_commands.describe(member="The member to move", team="The team to move them into")
    @app_commands.guild_only()
    @require_role("organizer")
    async def move(
        self,
        interaction: discord.Interaction[Any],
        member: discord.Member,
        team: app_commands.Range[str, 1, NAME_MAX],
    ) -> None:
        await defer(interaction)
        now = self.bot.clock.now()
        change = await self.bot.db.write(
            lambda session: teams.organizer_move(
                session,
                rules_of(self.bot),
                actor_id=interaction.user.id,
                member_id=member.id,
                team_name=team,
                now=now,
            )
        )
        await self.discord.apply(change)
        await send(
            interaction,
            tr(
                interaction,
                "teams.admin.moved",
                member=mention(member.id),
                team=change.team.name,
            ),
        )

    @app_commands.command(name="disband", description="Disband a team")
    @app_commands.describe(team="The team to disband")
    @app_commands.guild_only()
    @require_role("organizer")
    async def disband(
        self, interaction: discord.Interaction[Any], team: app_commands.Range[str, 1, NAME_MAX]
    ) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        result = await self.bot.db.write(
            lambda session: teams.disband(
                session,
                rules,
                actor_id=interaction.user.id,
                now=now,
                by_organizer=True,
                team_name=team,
            )
        )
        await self.discord.apply_disband(result)
        await send(interaction, tr(interaction, "teams.admin.disbanded", team=result.team.name))

    @app_commands.command(name="log", description="Recent team changes and who made them")
    @app_commands.describe(team="Only this team (default: every team)")
    @app_commands.guild_only()
    @require_role("organizer")
    async def log(
        self,
        interaction: discord.Interaction[Any],
        team: app_commands.Range[str, 1, NAME_MAX] | None = None,
    ) -> None:
        await defer(interaction)
        async with self.bot.db.read() as session:
            subject = None
            if team is not None:
                found = await teams.find_team(
                    session, team, rules=rules_of(self.bot), now=self.bot.clock.now()
                )
                subject = found.name
            entries = await audit.recent(session, limit=LOG_LINES, subject=subject)
        lines = [log_line(interaction, entry) for entry in entries]
        title = tr(interaction, "teams.audit.title", count=len(lines))
        embed = discord.Embed(
            title=title,
            description="\n".join(lines)[:4096] or tr(interaction, "teams.audit.empty"),
        )
        await send(interaction, embed=embed)

    move.autocomplete("team")(team_names)
    disband.autocomplete("team")(team_names)
    log.autocomplete("team")(team_names)


async def setup(bot: HackBot) -> None:
    await bot.add_cog(TeamAdmin(bot))
