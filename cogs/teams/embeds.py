"""How teams look in replies: the info card and the paginated list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.components import HackView
from bot.discord.mentions import channel_mention, mention
from bot.discord.replies import tr
from bot.discord.timestamps import discord_ts
from bot.services import teams
from bot.services.teams import TeamView
from bot.text import Safe, neutralize
from cogs.teams.options import rules_of
from cogs.teams.views import ListPageButton

if TYPE_CHECKING:
    from bot.app import HackBot


def member_line(user_id: int, hub_user: str | None) -> str:
    """A member on a team card: their mention, and their Hub username when they gave one."""
    if not hub_user:
        return mention(user_id)
    return f"{mention(user_id)} (🤗 {neutralize(hub_user)})"


def team_card(
    interaction: discord.Interaction[Any],
    team: TeamView,
    hub_users: Mapping[int, str] | None = None,
) -> discord.Embed:
    embed = discord.Embed(
        title=neutralize(team.name), description=neutralize(team.description or "")
    )
    embed.add_field(name=tr(interaction, "teams.info.captain"), value=mention(team.captain_id))
    embed.add_field(
        name=tr(interaction, "teams.info.members", size=team.size, max=team.max_size),
        value=", ".join(member_line(uid, (hub_users or {}).get(uid)) for uid in team.member_ids)[
            :1024
        ],
        inline=False,
    )
    embed.add_field(name=tr(interaction, "teams.info.free"), value=str(team.free_places))
    embed.add_field(
        name=tr(interaction, "teams.info.joining"),
        value=tr(interaction, "teams.info.open" if team.open else "teams.info.by_request"),
    )
    if team.locked:
        embed.add_field(name=tr(interaction, "teams.info.locked"), value="🔒")
    if team.thread_id and interaction.user.id in team.member_ids:
        embed.add_field(
            name=tr(interaction, "teams.info.thread"), value=channel_mention(team.thread_id)
        )
    embed.add_field(
        name=tr(interaction, "teams.info.created"), value=discord_ts(team.created_at, "D")
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
    embed = discord.Embed(title=tr(interaction, "teams.list.title", total=result.total))
    if not result.items:
        embed.description = tr(interaction, "teams.list.empty")
    for team in result.items:
        state = "teams.list.full" if team.full else "teams.list.free"
        embed.add_field(
            name=neutralize(team.name)[:256],
            value=tr(
                interaction,
                state,
                size=team.size,
                max=team.max_size,
                count=team.free_places,
                joining=Safe(
                    tr(interaction, "teams.info.open" if team.open else "teams.info.by_request")
                ),
            ),
            inline=False,
        )
    embed.set_footer(
        text=tr(interaction, "teams.list.page", page=result.page, pages=max(1, result.pages))
    )
    view = HackView(timeout=None)
    view.add_item(
        ListPageButton(
            result.page - 1,
            "p",
            tr(interaction, "teams.buttons.previous"),
            disabled=result.page <= 1,
        )
    )
    view.add_item(
        ListPageButton(
            result.page + 1,
            "n",
            tr(interaction, "teams.buttons.next"),
            disabled=result.page >= result.pages,
        )
    )
    return embed, view
