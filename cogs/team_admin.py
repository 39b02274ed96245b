"""`/teamadmin`: organizers lock team changes, move members and disband teams (all audited)."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from bot.checks import require_role
from bot.replies import defer, send, tr
from bot.services import audit, teams
from bot.team_discord import TeamDiscord
from bot.text import Safe
from bot.timefmt import discord_ts
from bot.ui.teams import rules_of, team_name_choices

NAME_MAX = 100
LOG_LINES = 20


class TeamAdmin(
    commands.GroupCog, group_name="teamadmin", group_description="Organizer tools for teams"
):
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
        async with self.bot.db.transaction() as session:
            await teams.set_lock(session, locked=locked, actor_id=interaction.user.id, now=now)
            state = await teams.get_lock_state(session, rules_of(self.bot), now)
        if locked:
            key = "team_ui.admin.locked"
        elif state.locked:
            key = "team_ui.admin.unlocked_but_deadline"
        else:
            key = "team_ui.admin.unlocked"
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
                "team_ui.admin.moved",
                member=Safe(f"<@{member.id}>"),
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
        async with self.bot.db.transaction() as session:
            result = await teams.disband(
                session,
                rules_of(self.bot),
                actor_id=interaction.user.id,
                now=self.bot.clock.now(),
                by_organizer=True,
                team_name=team,
            )
        await self.discord.apply_disband(result)
        await send(interaction, tr(interaction, "team_ui.admin.disbanded", team=result.team.name))

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
        lines = [
            tr(
                interaction,
                "team_ui.audit.line" if entry.subject else "team_ui.audit.line_no_subject",
                when=discord_ts(entry.at, "f"),
                actor=Safe(f"<@{entry.actor_id}>" if entry.actor_id else "-"),
                action=Safe(tr(interaction, f"team_ui.audit.{entry.action.replace('.', '_')}")),
                subject=entry.subject or "",
            )
            for entry in entries
        ]
        title = tr(interaction, "team_ui.audit.title", count=len(lines))
        embed = discord.Embed(
            title=title,
            description="\n".join(lines)[:4096] or tr(interaction, "team_ui.audit.empty"),
        )
        await send(interaction, embed=embed)

    move.autocomplete("team")(team_names)
    disband.autocomplete("team")(team_names)
    log.autocomplete("team")(team_names)


async def setup(bot: HackBot) -> None:
    await bot.add_cog(TeamAdmin(bot))
