"""Persistent buttons for team invitations, join requests and the team list.

Each button is a ``DynamicItem`` whose custom_id carries what it acts on, so it keeps
working after a restart without any in-memory state.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from sqlalchemy.ext.asyncio import AsyncSession

from bot.discord.components import HackView, guarded
from bot.discord.replies import tr
from bot.i18n import Message
from bot.services import teams
from bot.services.teams import MembershipChange
from bot.services.teams.views import ItemKind
from cogs.teams.effects import TeamDiscord
from cogs.teams.options import rules_of

if TYPE_CHECKING:
    from bot.app import HackBot


def answer_buttons(kind: str, item_id: int, locale: str | None, bot: HackBot) -> discord.ui.View:
    view = HackView(timeout=None)
    view.add_item(AnswerButton(kind, item_id, True, bot.catalogs.t(locale, "teams.buttons.accept")))
    view.add_item(
        AnswerButton(kind, item_id, False, bot.catalogs.t(locale, "teams.buttons.decline"))
    )
    return view


class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"team:(?P<kind>inv|req):(?P<id>\d+):(?P<accept>[01])",
):
    """Accept or decline an invitation (the invitee) or a join request (the captain)."""

    def __init__(self, kind: str, item_id: int, accept: bool, label: str = "") -> None:
        prefix = "inv" if kind in ("inv", "invitation") else "req"
        super().__init__(
            discord.ui.Button(
                label=label or ("Accept" if accept else "Decline"),
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"team:{prefix}:{item_id}:{int(accept)}",
            )
        )
        self.kind = prefix
        self.item_id = item_id
        self.accept = accept

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AnswerButton:
        return cls(
            match["kind"],
            int(match["id"]),
            match["accept"] == "1",
            getattr(item, "label", "") or "",
        )

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: HackBot = interaction.client
        await interaction.response.defer()
        team_name, change = await bot.db.write(
            lambda session: self.answer(session, bot, interaction.user.id)
        )
        outcome = "accepted" if self.accept else "declined"
        key = "teams.answered.invitation" if self.kind == "inv" else "teams.answered.request"
        team_name = change.team.name if change is not None else team_name
        await interaction.edit_original_response(
            content=tr(interaction, key, team=team_name, status=Message(f"teams.status.{outcome}")),
            embed=None,
            view=None,
        )
        if change is not None:
            await TeamDiscord(bot).apply(change)

    async def answer(
        self, session: AsyncSession, bot: HackBot, user_id: int
    ) -> tuple[str, MembershipChange | None]:
        """Answer the invitation or request; the team's name is read first (a decline
        returns no team)."""
        kind: ItemKind = "invitation" if self.kind == "inv" else "request"
        team_name = await teams.item_team_name(session, kind, self.item_id) or ""
        now = bot.clock.now()
        if self.kind == "inv":
            change = await teams.answer_invitation(
                session,
                rules_of(bot),
                invitation_id=self.item_id,
                user_id=user_id,
                accept=self.accept,
                now=now,
            )
        else:
            change = await teams.answer_join_request(
                session,
                rules_of(bot),
                request_id=self.item_id,
                actor_id=user_id,
                accept=self.accept,
                now=now,
            )
        return team_name, change


class ListPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"team:list:(?P<page>\d+):(?P<dir>[pn])",
):
    """Previous / next page of `team list` (edits the ephemeral message in place)."""

    def __init__(self, page: int, direction: str, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or ("◀" if direction == "p" else "▶"),
                style=discord.ButtonStyle.secondary,
                custom_id=f"team:list:{page}:{direction}",
                disabled=disabled,
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ListPageButton:
        return cls(int(match["page"]), match["dir"], getattr(item, "label", "") or "")

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.teams.embeds import team_list_message

        bot: HackBot = interaction.client
        embed, view = await team_list_message(bot, interaction, self.page)
        await interaction.response.edit_message(embed=embed, view=view)
