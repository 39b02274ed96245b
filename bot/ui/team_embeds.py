"""How teams look in replies: the info card and the paginated list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.replies import tr
from bot.services import teams
from bot.services.teams import TeamView
from bot.text import Safe, neutralize
from bot.timefmt import discord_ts
from bot.ui.teams import ListPageButton, rules_of

if TYPE_CHECKING:
    from bot.app import HackBot


def mention(user_id: int) -> Safe:
    return Safe(f"<@{user_id}>")


def team_card(interaction: discord.Interaction[Any], team: TeamView) -> discord.Embed:
    embed = discord.Embed(
        title=neutralize(team.name), description=neutralize(team.description or "")
    )
    embed.add_field(name=tr(interaction, "team_ui.info.captain"), value=mention(team.captain_id))
    embed.add_field(
        name=tr(interaction, "team_ui.info.members", size=team.size, max=team.max_size),
        value=", ".join(mention(uid) for uid in team.member_ids)[:1024],
        inline=False,
    )
    embed.add_field(name=tr(interaction, "team_ui.info.free"), value=str(team.free_places))
    embed.add_field(
        name=tr(interaction, "team_ui.info.joining"),
        value=tr(interaction, "team_ui.info.open" if team.open else "team_ui.info.by_request"),
    )
    if team.locked:
        embed.add_field(name=tr(interaction, "team_ui.info.locked"), value="🔒")
    if team.thread_id and interaction.user.id in team.member_ids:
        embed.add_field(
            name=tr(interaction, "team_ui.info.thread"), value=Safe(f"<#{team.thread_id}>")
        )
    embed.add_field(
        name=tr(interaction, "team_ui.info.created"), value=discord_ts(team.created_at, "D")
    )
    return embed


async def team_list_message(
    bot: HackBot, interaction: discord.Interaction[Any], page: int
) -> tuple[discord.Embed, discord.ui.View]:
    size = bot.settings.config.teams.list_page_size
    async with bot.db.read() as session:
        result = await teams.list_teams(
            session, rules_of(bot), page=page, page_size=size, now=bot.clock.now()
        )
    embed = discord.Embed(title=tr(interaction, "team_ui.list.title", total=result.total))
    if not result.items:
        embed.description = tr(interaction, "team_ui.list.empty")
    for team in result.items:
        state = "team_ui.list.full" if team.full else "team_ui.list.free"
        embed.add_field(
            name=neutralize(team.name)[:256],
            value=tr(
                interaction,
                state,
                size=team.size,
                max=team.max_size,
                free=team.free_places,
                joining=Safe(
                    tr(interaction, "team_ui.info.open" if team.open else "team_ui.info.by_request")
                ),
            ),
            inline=False,
        )
    embed.set_footer(
        text=tr(interaction, "team_ui.list.page", page=result.page, pages=max(1, result.pages))
    )
    view = discord.ui.View(timeout=None)
    view.add_item(
        ListPageButton(
            result.page - 1,
            "p",
            tr(interaction, "team_ui.buttons.previous"),
            disabled=result.page <= 1,
        )
    )
    view.add_item(
        ListPageButton(
            result.page + 1,
            "n",
            tr(interaction, "team_ui.buttons.next"),
            disabled=result.page >= result.pages,
        )
    )
    return embed, view
