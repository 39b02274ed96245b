"""`/lft`: looking-for-team profiles in the forum, and matching members with teams."""

from __future__ import annotations

import logging
import math
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from bot.discord.checks import require_role
from bot.discord.mentions import channel_mention, mention
from bot.discord.replies import defer, send, tr
from bot.errors import InvalidInput
from bot.services import teams
from bot.services.teams import lft
from bot.services.teams.lft import LftView
from bot.text import Safe
from cogs.teams.effects import TeamDiscord
from cogs.teams.options import MEMBER_LOCK, rules_of

log = logging.getLogger(__name__)


def split_list(raw: str | None) -> list[str]:
    return [part for part in (raw or "").replace(";", ",").split(",") if part.strip()]


def offset_text(minutes: int | None) -> str:
    if minutes is None:
        return "-"
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


class Lft(commands.GroupCog, group_name="lft", group_description="Looking for a team"):
    """Every `/lft` command needs the participant role (organizers may act for participants)."""

    member_lock = MEMBER_LOCK  # a member runs one team command at a time (bot.discord.tree)

    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        self.discord = TeamDiscord(bot)
        super().__init__()

    def profile_text(self, user_id: int, profile: LftView) -> str:
        return self.discord.public(
            "teams.lft.post",
            member=mention(user_id),
            skills=", ".join(profile.skills),
            languages=", ".join(profile.languages) or "-",
            offset=offset_text(profile.utc_offset_minutes),
            note=profile.note or "-",
        )

    @app_commands.command(
        name="post", description="Publish or update your looking-for-team profile"
    )
    @app_commands.describe(
        skills="Your skills, separated by commas",
        languages="Languages you work in, separated by commas (es, ca, eu, gl, en...)",
        note="Anything else teams should know",
        utc_offset="Your time zone as hours from UTC (for example -6 or 1)",
    )
    @app_commands.guild_only()
    @require_role("participant")
    async def post(
        self,
        interaction: discord.Interaction[Any],
        skills: app_commands.Range[str, 1, 400],
        languages: app_commands.Range[str, 1, 200] | None = None,
        note: app_commands.Range[str, 1, 400] | None = None,
        utc_offset: app_commands.Range[float, -12, 14] | None = None,
    ) -> None:
        await defer(interaction)
        bot, now = self.bot, self.bot.clock.now()
        if utc_offset is not None and not math.isfinite(utc_offset):
            raise InvalidInput("teams.errors.bad_offset")
        minutes = None if utc_offset is None else round(utc_offset * 60)
        cooldown = rules_of(bot).lft_post_cooldown
        profile = await bot.db.write(
            lambda session: lft.post_profile(
                session,
                user_id=interaction.user.id,
                skills=split_list(skills),
                languages=split_list(languages),
                note=note,
                utc_offset_minutes=minutes,
                now=now,
                cooldown=cooldown,
            )
        )
        text = self.profile_text(interaction.user.id, profile)
        existing = await self.discord.channel_by_id(profile.post_id)
        if isinstance(existing, discord.Thread):
            await existing.get_partial_message(existing.id).edit(content=text)
            post_id = existing.id
        else:
            forum = bot.channel("team_forum")
            tags = await self.discord.forum_tags(forum)
            title = lft.post_title(interaction.user.display_name, str(interaction.user.id))
            created = await forum.create_thread(
                name=title,
                content=text,
                applied_tags=[tags[bot.settings.config.teams.tag_looking]],
            )
            post_id = created.thread.id
            await bot.db.write(
                lambda session: lft.set_profile_post(session, interaction.user.id, post_id)
            )
        await send(interaction, tr(interaction, "teams.lft.posted", post=channel_mention(post_id)))

    @app_commands.command(name="remove", description="Remove your looking-for-team profile")
    @app_commands.guild_only()
    @require_role("participant")
    async def remove(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        profile = await self.bot.db.write(
            lambda session: lft.remove_profile(session, interaction.user.id)
        )
        if profile is None:
            await send(interaction, tr(interaction, "teams.errors.lft_not_found"))
            return
        await self.discord.delete_quietly(await self.discord.channel_by_id(profile.post_id))
        await send(interaction, tr(interaction, "teams.lft.removed"))

    @app_commands.command(
        name="match", description="Best candidates for your team, or best teams for you"
    )
    @app_commands.guild_only()
    @require_role("participant")
    async def match(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        bot, rules, now = self.bot, rules_of(self.bot), self.bot.clock.now()
        async with bot.db.read() as session:
            team = await teams.team_of(session, interaction.user.id, rules=rules, now=now)
            if team is not None:
                candidates = await lft.match_for_team(
                    session, rules, captain_id=interaction.user.id
                )
                lines = [
                    tr(
                        interaction,
                        "teams.lft.candidate",
                        rank=i,
                        member=mention(m.user_id),
                        reasons=Safe(", ".join(tr(interaction, r) for r in m.reasons) or "-"),
                    )
                    for i, m in enumerate(candidates, start=1)
                ]
                title = tr(interaction, "teams.lft.candidates_title", team=team.name)
            else:
                found = await lft.match_for_member(
                    session, rules, user_id=interaction.user.id, now=now
                )
                lines = [
                    tr(
                        interaction,
                        "teams.lft.team_line",
                        rank=i,
                        team=m.team.name,
                        count=m.team.free_places,
                        reasons=Safe(", ".join(tr(interaction, r) for r in m.reasons) or "-"),
                    )
                    for i, m in enumerate(found, start=1)
                ]
                title = tr(interaction, "teams.lft.teams_title")
        embed = discord.Embed(
            title=title,
            description="\n".join(lines)[:4096] or tr(interaction, "teams.lft.no_match"),
        )
        await send(interaction, embed=embed)


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Lft(bot))
