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
from bot.discord.mentions import mention
from bot.discord.replies import locale_of, send, tr
from bot.discord.timestamps import discord_ts
from bot.discord.trust import bounded, snowflake
from bot.errors import Forbidden, InvalidInput
from bot.i18n import Message
from bot.services import teams
from bot.services.teams import ClosedItem, MembershipChange, TeamView
from bot.services.teams.views import ItemKind
from cogs.teams.effects import TeamDiscord
from cogs.teams.options import MAX_PAGE, rules_of

if TYPE_CHECKING:
    from bot.app import HackBot

CREATED_MAX = 2**40  # seconds since 1970: far beyond any team's creation


def answer_buttons(kind: str, item_id: int, locale: str | None, bot: HackBot) -> discord.ui.View:
    view = HackView(timeout=None)
    view.add_item(AnswerButton(kind, item_id, True, bot.catalogs.t(locale, "teams.buttons.accept")))
    view.add_item(
        AnswerButton(kind, item_id, False, bot.catalogs.t(locale, "teams.buttons.decline"))
    )
    return view


def invalid_button() -> InvalidInput:
    """A custom_id no button of the bot carries (forged, or from an older version)."""
    return InvalidInput("core.errors.invalid_button")


# The templates accept any value in each field, so that a forged custom_id (an id past 2**63,
# a page that is no number) is answered "invalid" instead of being left unanswered; the values
# are checked in ``from_custom_id``, which must never raise (discord.py would only log it).
class AnswerButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"team:(?P<kind>inv|req):(?P<id>[^:]*):(?P<accept>[^:]*)",
):
    """Accept or decline an invitation (the invitee) or a join request (the captain)."""

    def __init__(
        self, kind: str, item_id: int, accept: bool, label: str = "", *, valid: bool = True
    ) -> None:
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
        self.valid = valid

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> AnswerButton:
        item_id = snowflake(match["id"])
        valid = item_id is not None and match["accept"] in ("0", "1")
        return cls(
            match["kind"],
            item_id or 0,
            match["accept"] == "1",
            getattr(item, "label", "") or "",
            valid=valid,
        )

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if not self.valid:
            raise invalid_button()
        bot: HackBot = interaction.client
        await interaction.response.defer()
        team_name, change, answered = await bot.db.write(
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
        effects = TeamDiscord(bot)
        if change is not None:
            await effects.apply(change)
        if answered is not None:
            # This message already shows the answer: whoever waited on it hears it by DM.
            await effects.close_item(answered, answered_here=True)

    async def answer(
        self, session: AsyncSession, bot: HackBot, user_id: int
    ) -> tuple[str, MembershipChange | None, ClosedItem | None]:
        """Answer the invitation or request; the team's name is read first (a decline
        returns no team), the item as answered last (who waited on it)."""
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
        return team_name, change, await teams.closed_item(session, kind, self.item_id)


class ListPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"team:list:(?P<page>[^:]*):(?P<dir>[^:]*)",
):
    """Previous / next page of `team list` (edits the ephemeral message in place)."""

    def __init__(
        self,
        page: int,
        direction: str,
        label: str = "",
        disabled: bool = False,
        *,
        valid: bool = True,
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or ("◀" if direction == "p" else "▶"),
                style=discord.ButtonStyle.secondary,
                custom_id=f"team:list:{page}:{direction}",
                disabled=disabled,
            )
        )
        self.page = page
        self.valid = valid

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ListPageButton:
        # Page 0 is the disabled "previous" of page 1; `team list` itself takes 1..MAX_PAGE.
        page = bounded(match["page"], 0, MAX_PAGE + 1)
        valid = page is not None and match["dir"] in ("p", "n")
        label = getattr(item, "label", "") or ""
        return cls(page or 1, match["dir"][:1], label, valid=valid)

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        from cogs.teams.embeds import team_list_message

        if not self.valid:
            raise invalid_button()
        bot: HackBot = interaction.client
        embed, view = await team_list_message(bot, interaction, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


def inbox_button(invitation_id: int, locale: str | None, bot: HackBot) -> discord.ui.View:
    """The one button of a public notice: it shows its invitation to the invitee only."""
    view = HackView(timeout=None)
    view.add_item(InboxButton(invitation_id, bot.catalogs.t(locale, "teams.buttons.open")))
    return view


class InboxButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"team:open:(?P<id>[^:]*)",
):
    """A message waiting for a member whose DMs are closed: the channel sees only that one is
    there; the invitee reads it (and answers it) in a reply only they see."""

    def __init__(self, invitation_id: int, label: str = "", *, valid: bool = True) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "Open",
                style=discord.ButtonStyle.primary,
                custom_id=f"team:open:{invitation_id}",
            )
        )
        self.invitation_id = invitation_id
        self.valid = valid

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> InboxButton:
        invitation_id = snowflake(match["id"])
        label = getattr(item, "label", "") or ""
        return cls(invitation_id or 0, label, valid=invitation_id is not None)

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if not self.valid:
            raise invalid_button()
        bot: HackBot = interaction.client
        now = bot.clock.now()
        async with bot.db.read() as session:
            invitation = await teams.open_invitation(
                session,
                rules_of(bot),
                invitation_id=self.invitation_id,
                user_id=interaction.user.id,
                now=now,
            )
        text = tr(
            interaction,
            "teams.invite.dm",
            inviter=mention(invitation.inviter_id),
            team=invitation.team.name,
            expires=discord_ts(invitation.expires_at, "R"),
        )
        view = answer_buttons("inv", invitation.id, locale_of(interaction), bot)
        await send(interaction, text, view=view)


def disband_button(team: TeamView, captain_id: int, label: str) -> discord.ui.View:
    """The confirmation of `/team disband`: one button, for the captain who asked."""
    view = HackView(timeout=None)
    view.add_item(DisbandButton(team.id, captain_id, teams.created_stamp(team), label))
    return view


class DisbandButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"team:disband:(?P<team>[^:]*):(?P<captain>[^:]*):(?P<created>[^:]*)",
):
    """Confirms `/team disband`. The custom_id names the team (its id and creation stamp, so a
    later team that reuses the id is never disbanded by it) and the captain who asked: only
    they can confirm, and only while they still captain that team."""

    def __init__(
        self, team_id: int, captain_id: int, created: int, label: str = "", *, valid: bool = True
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "Disband",
                style=discord.ButtonStyle.danger,
                custom_id=f"team:disband:{team_id}:{captain_id}:{created}",
            )
        )
        self.team_id = team_id
        self.captain_id = captain_id
        self.created = created
        self.valid = valid

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> DisbandButton:
        team_id, captain_id = snowflake(match["team"]), snowflake(match["captain"])
        created = bounded(match["created"], 0, CREATED_MAX)
        valid = team_id is not None and captain_id is not None and created is not None
        label = getattr(item, "label", "") or ""
        return cls(team_id or 0, captain_id or 0, created or 0, label, valid=valid)

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        if not self.valid:
            raise invalid_button()
        if interaction.user.id != self.captain_id:
            raise Forbidden("teams.errors.not_for_you")
        bot: HackBot = interaction.client
        await interaction.response.defer()
        rules, now = rules_of(bot), bot.clock.now()
        result = await bot.db.write(
            lambda session: teams.disband(
                session,
                rules,
                actor_id=interaction.user.id,
                now=now,
                team_id=self.team_id,
                created=self.created,
            )
        )
        await interaction.edit_original_response(
            content=tr(interaction, "teams.disband.done", team=result.team.name),
            embed=None,
            view=None,
        )
        await TeamDiscord(bot).apply_disband(result)


class UnknownTeamButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        r"team:(?!(?:inv|req):[^:]*:[^:]*$|list:[^:]*:[^:]*$|open:[^:]*$"
        r"|disband:[^:]*:[^:]*:[^:]*$).*"
    ),
):
    """Any other ``team:`` custom_id (forged, or from an older version): answered "invalid"."""

    def __init__(self) -> None:
        super().__init__(discord.ui.Button(label="?", custom_id="team:?"))

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> UnknownTeamButton:
        return cls()

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        raise invalid_button()


DYNAMIC_ITEMS = (AnswerButton, ListPageButton, InboxButton, DisbandButton, UnknownTeamButton)
