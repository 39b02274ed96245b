"""Persistent components of mentoring: the slot menu of `mentor book`, the Take button of a
queue post, Release and Resolved in a request's thread, and the 1-5 rating buttons.

Each is a ``DynamicItem`` whose custom_id carries what it acts on, so it keeps working after a
restart without any in-memory state.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.checks import member_has_role
from bot.discord.components import HackView, guarded
from bot.discord.mentions import channel_mention, mention
from bot.discord.replies import defer, send, tr
from bot.discord.timestamps import discord_ts
from bot.discord.trust import bounded, snowflake
from bot.errors import InvalidInput, MissingRole
from bot.services import mentors
from bot.services.mentors import SlotView
from bot.text import Safe
from cogs.mentors.effects import MentorDiscord
from cogs.mentors.options import rules_of

if TYPE_CHECKING:
    from bot.app import HackBot

Interaction = discord.Interaction[Any]


def invalid_component() -> InvalidInput:
    return InvalidInput("core.errors.invalid_button")


def require_mentor(interaction: Interaction) -> None:
    bot: HackBot = interaction.client
    if not any(member_has_role(bot, interaction.user, k) for k in ("mentor", "organizer")):
        raise MissingRole(tr(interaction, "core.roles.mentor"))


def mentor_name(bot: HackBot, user_id: int) -> str:
    guild = bot.guild
    member = guild.get_member(user_id) if guild is not None else None
    return member.display_name if member is not None else str(user_id)


# -- booking ----------------------------------------------------------------------------------
def book_view(
    interaction: Interaction, bot: HackBot, slots: list[SlotView], topic: str | None
) -> discord.ui.View:
    view = HackView(timeout=None)
    view.add_item(BookSelect(topic, slots, interaction, bot))
    return view


class BookSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=r"mentor:book:(?P<topic>[^:]*)",
):
    """Pick a free slot: the first team to pick it books it."""

    def __init__(
        self,
        topic: str | None,
        slots: list[SlotView] | None = None,
        interaction: Interaction | None = None,
        bot: HackBot | None = None,
    ) -> None:
        options = []
        if slots and interaction is not None and bot is not None:
            for n, slot in enumerate(slots, 1):
                label = tr(
                    interaction,
                    "mentors.book.option",
                    n=n,
                    # Built by the bot: shown as is (a select label shows no markdown, so
                    # escaping would only add backslashes).
                    start=Safe(slot.starts_at.strftime("%Y-%m-%d %H:%M")),
                    mentor=mentor_name(bot, slot.mentor_id),
                )
                options.append(discord.SelectOption(label=label[:100], value=str(slot.id)))
        placeholder = tr(interaction, "mentors.book.placeholder") if interaction else None
        super().__init__(
            discord.ui.Select(
                custom_id=f"mentor:book:{(topic or '')[:32]}",
                placeholder=placeholder,
                options=options or [discord.SelectOption(label="-", value="0")],
            )
        )
        self.topic = topic or None

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BookSelect:
        return cls(match["topic"] or None)

    @guarded
    async def callback(self, interaction: Interaction) -> None:
        data: Any = interaction.data or {}
        values = list(data.get("values") or [])
        slot_id = snowflake(str(values[0])) if len(values) == 1 else None
        if slot_id is None:
            raise invalid_component()
        bot: HackBot = interaction.client
        await interaction.response.defer()
        now, rules = bot.clock.now(), rules_of(bot)
        booking = await bot.db.write(
            lambda session: mentors.book(
                session,
                rules,
                user_id=interaction.user.id,
                slot_id=slot_id,
                topic=self.topic,
                now=now,
            )
        )
        await interaction.edit_original_response(
            content=tr(
                interaction,
                "mentors.book.done",
                team=booking.team_name,
                mentor=mention(booking.mentor_id),
                start=discord_ts(booking.starts_at, "F"),
                when=discord_ts(booking.starts_at, "R"),
            ),
            view=None,
        )
        await MentorDiscord(bot).booked(booking)


# -- the help queue -----------------------------------------------------------------------------
def claim_view(request_id: int, bot: HackBot) -> discord.ui.View:
    view = HackView(timeout=None)
    view.add_item(ClaimButton(request_id, _public(bot, "mentors.buttons.claim")))
    return view


def session_view(request_id: int, bot: HackBot) -> discord.ui.View:
    view = HackView(timeout=None)
    view.add_item(ReleaseButton(request_id, _public(bot, "mentors.buttons.release")))
    view.add_item(ResolveButton(request_id, _public(bot, "mentors.buttons.resolve")))
    return view


def rating_view(request_id: int) -> discord.ui.View:
    view = HackView(timeout=None)
    for stars in range(1, 6):
        view.add_item(RateButton(request_id, stars))
    return view


def _public(bot: HackBot, key: str) -> str:
    return bot.catalogs.t(bot.settings.config.event.default_locale, key)


class _RequestButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mentor:x:(?P<id>[^:]*)"
):
    """A button acting on one request: its id in the custom_id."""

    action = "x"
    style = discord.ButtonStyle.secondary

    def __init__(self, request_id: int, label: str = "", *, valid: bool = True) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or self.action,
                style=self.style,
                custom_id=f"mentor:{self.action}:{request_id}",
            )
        )
        self.request_id = request_id
        self.valid = valid

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Any:
        request_id = snowflake(match["id"])
        label = getattr(item, "label", "") or ""
        return cls(request_id or 0, label, valid=request_id is not None)


class ClaimButton(_RequestButton, template=r"mentor:claim:(?P<id>[^:]*)"):
    action = "claim"
    style = discord.ButtonStyle.primary

    @guarded
    async def callback(self, interaction: Interaction) -> None:
        if not self.valid:
            raise invalid_component()
        require_mentor(interaction)
        bot: HackBot = interaction.client
        await defer(interaction)
        now = bot.clock.now()
        request = await bot.db.write(
            lambda session: mentors.claim(
                session, request_id=self.request_id, mentor_id=interaction.user.id, now=now
            )
        )
        effects = MentorDiscord(bot)
        thread = await effects.open_thread(request)
        if thread is not None and thread.id != request.thread_id:
            await bot.db.write(
                lambda session: mentors.set_request_thread(session, request.id, thread.id)
            )
        await effects.close_post(request, "mentors.request.claimed")
        where = channel_mention(thread.id) if thread is not None else "-"
        await send(
            interaction, tr(interaction, "mentors.claim.done", team=request.team_name, thread=where)
        )


class ReleaseButton(_RequestButton, template=r"mentor:release:(?P<id>[^:]*)"):
    action = "release"

    @guarded
    async def callback(self, interaction: Interaction) -> None:
        if not self.valid:
            raise invalid_component()
        require_mentor(interaction)
        bot: HackBot = interaction.client
        await defer(interaction)
        now = bot.clock.now()
        info = await bot.db.write(
            lambda session: mentors.release(
                session, request_id=self.request_id, mentor_id=interaction.user.id, now=now
            )
        )
        effects = MentorDiscord(bot)
        await effects.thread_say(
            info.request, "mentors.release.thread", mentor=mention(interaction.user.id)
        )
        await effects.requeue(info)
        await send(
            interaction, tr(interaction, "mentors.release.done", team=info.request.team_name)
        )


class ResolveButton(_RequestButton, template=r"mentor:resolve:(?P<id>[^:]*)"):
    action = "resolve"
    style = discord.ButtonStyle.success

    @guarded
    async def callback(self, interaction: Interaction) -> None:
        if not self.valid:
            raise invalid_component()
        bot: HackBot = interaction.client
        await defer(interaction)
        now = bot.clock.now()
        request = await bot.db.write(
            lambda session: mentors.resolve(
                session, request_id=self.request_id, actor_id=interaction.user.id, now=now
            )
        )
        effects = MentorDiscord(bot)
        await effects.close_post(request, "mentors.request.resolved")
        thread = await effects.notifier.channel_by_id(request.thread_id)
        if isinstance(thread, discord.Thread):
            await effects.guard(
                thread.send(
                    effects.public("mentors.resolve.thread", member=mention(interaction.user.id)),
                    view=rating_view(request.id),
                ),
                "rating prompt",
            )
        await send(interaction, tr(interaction, "mentors.resolve.done"))


class RateButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mentor:rate:(?P<id>[^:]*):(?P<stars>[^:]*)",
):
    """Rate a resolved session 1 to 5 (a member of the team that asked, once)."""

    def __init__(self, request_id: int, stars: int, *, valid: bool = True) -> None:
        super().__init__(
            discord.ui.Button(
                label="★" * stars,
                style=discord.ButtonStyle.secondary,
                custom_id=f"mentor:rate:{request_id}:{stars}",
            )
        )
        self.request_id = request_id
        self.stars = stars
        self.valid = valid

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RateButton:
        request_id = snowflake(match["id"])
        stars = bounded(match["stars"], 1, 5)
        valid = request_id is not None and stars is not None
        return cls(request_id or 0, stars or 1, valid=valid)

    @guarded
    async def callback(self, interaction: Interaction) -> None:
        if not self.valid:
            raise invalid_component()
        bot: HackBot = interaction.client
        await defer(interaction)
        now = bot.clock.now()
        request = await bot.db.write(
            lambda session: mentors.rate(
                session,
                request_id=self.request_id,
                user_id=interaction.user.id,
                rating=self.stars,
                now=now,
            )
        )
        effects = MentorDiscord(bot)
        await effects.thread_say(
            request, "mentors.rate.thread", member=mention(interaction.user.id), rating=self.stars
        )
        assert request.mentor_id is not None
        await send(
            interaction,
            tr(
                interaction,
                "mentors.rate.done",
                rating=self.stars,
                mentor=mention(request.mentor_id),
            ),
        )


DYNAMIC_ITEMS = (BookSelect, ClaimButton, ReleaseButton, ResolveButton, RateButton)
