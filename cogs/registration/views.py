"""The Verify button (persistent: its custom_id is fixed, so it works after any restart) and
the modal asking for the email a member registered with."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.discord import trust
from bot.discord.components import HackModal, HackView, guarded
from bot.discord.limits import answer_error, busy
from bot.discord.replies import send, tr
from bot.errors import InvalidInput
from bot.services import registration
from bot.services.registration import VerifyResult
from cogs.registration.effects import grant_roles
from cogs.registration.options import (
    EMAIL_MAX,
    MEMBER_LOCK,
    contact_of,
    member_key,
    role_names,
    rules_of,
)

if TYPE_CHECKING:
    from bot.app import HackBot

VERIFY_ID = "registration:verify"
EMAIL_FORM = "registration:email:"  # + the id of the interaction that opened the form
EMAIL_FIELD = "email"
MODAL_TIMEOUT = 900.0  # an unanswered modal is dropped after Discord's 15-minute token


def welcome_view(bot: HackBot, locale: str | None) -> HackView:
    view = HackView(timeout=None)
    view.add_item(VerifyButton(bot.catalogs.t(locale, "registration.welcome.button")))
    return view


def verify_modal(interaction: discord.Interaction[Any]) -> VerifyModal:
    return VerifyModal(
        # discord.py keeps open modals by custom_id alone: each opening has its own, or two
        # members' modals would share one object and one member's answer could reach the other.
        custom_id=f"{EMAIL_FORM}{interaction.id}",
        title=tr(interaction, "registration.verify.modal_title"),
        label=tr(interaction, "registration.verify.email_label"),
        placeholder=tr(interaction, "registration.verify.email_placeholder"),
    )


class VerifyButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"registration:.*"):
    """Opens the email modal for whoever presses it (any other ``registration:`` id too)."""

    def __init__(self, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "Verify", style=discord.ButtonStyle.primary, custom_id=VERIFY_ID
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VerifyButton:
        return cls(getattr(item, "label", "") or "")

    @guarded
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await open_verification(interaction)


async def open_verification(interaction: discord.Interaction[Any]) -> None:
    """The email modal; a member already verified gets their roles back at once instead (one
    indexed read before answering: well within Discord's 3 seconds)."""
    bot: HackBot = interaction.client
    member_key(bot)  # refuse at once when verification is not set up
    async with bot.db.read() as session:
        own = await registration.registration_of(session, interaction.user.id)
    if own is None:
        form = verify_modal(interaction)
        await interaction.response.send_modal(form)
        # The answer is handled from its custom_id (``answer_email_form``), in this process or
        # after a restart: the form object is not kept in memory.
        form.stop()
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    result = VerifyResult(
        "already", registration.Linked(own.id, interaction.user.id, registration.roles_of(own))
    )
    await send(interaction, await outcome_text(interaction, bot, result))


class VerifyModal(HackModal):
    """The email form. Only its look lives here: what a member sends back is handled by
    :func:`answer_email_form` from the custom_id, so a form opened before a restart still works
    after it."""

    def __init__(self, *, custom_id: str, title: str, label: str, placeholder: str) -> None:
        super().__init__(title=title[:45], timeout=MODAL_TIMEOUT, custom_id=custom_id)
        self.email: discord.ui.TextInput[VerifyModal] = discord.ui.TextInput(
            label=label[:45],
            placeholder=placeholder[:100],
            custom_id=EMAIL_FIELD,
            min_length=3,
            max_length=EMAIL_MAX,
        )
        self.add_item(self.email)


def submitted_email(data: Any) -> str | None:
    """The value of the email field in a modal submission's data (rows or labels)."""
    if isinstance(data, dict):
        if data.get("custom_id") == EMAIL_FIELD and isinstance(data.get("value"), str):
            return str(data["value"])
        children = [data.get("component"), *(data.get("components") or [])]
        for child in children:
            found = submitted_email(child)
            if found is not None:
                return found
    elif isinstance(data, list):
        for child in data:
            found = submitted_email(child)
            if found is not None:
                return found
    return None


def is_email_form(interaction: discord.Interaction[Any]) -> bool:
    if interaction.type is not discord.InteractionType.modal_submit:
        return False
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = data.get("custom_id")
    return isinstance(custom_id, str) and custom_id.startswith(EMAIL_FORM)


async def answer_email_form(interaction: discord.Interaction[Any]) -> None:
    """A submitted email form: the trust gate, one verification at a time per member, every
    error through the registry."""
    try:
        if not await trust.passes(interaction):
            return
        data: dict[str, Any] = dict(interaction.data or {})
        email = submitted_email(data.get("components"))
        if email is None:
            raise InvalidInput("core.errors.invalid_values")
        bot: HackBot = interaction.client
        token = bot.member_locks.acquire(MEMBER_LOCK, interaction.user.id)
        if token is None:
            raise busy()
        try:
            await verify_member(interaction, email[:EMAIL_MAX])
        finally:
            bot.member_locks.release(MEMBER_LOCK, interaction.user.id, token)
    except Exception as exc:
        await answer_error(interaction, exc)


async def verify_member(interaction: discord.Interaction[Any], email: str) -> None:
    bot: HackBot = interaction.client
    key = member_key(bot)
    await interaction.response.defer(ephemeral=True, thinking=True)
    now, rules, user_id = bot.clock.now(), rules_of(bot), interaction.user.id
    result = await bot.db.write(
        lambda session: registration.verify(
            session, key, rules, user_id=user_id, email=email, now=now
        )
    )
    await send(interaction, await outcome_text(interaction, bot, result))


async def outcome_text(
    interaction: discord.Interaction[Any], bot: HackBot, result: VerifyResult
) -> str:
    contact = contact_of(bot)
    if result.outcome == "no_match":
        return tr(
            interaction,
            "registration.verify.no_match",
            count=result.attempts_left,
            contact=contact,
        )
    if result.outcome == "taken":
        return tr(interaction, "registration.verify.taken", contact=contact)
    assert result.linked is not None
    roles = result.linked.roles
    if not await grant_roles(bot, result.linked.user_id, roles):
        return tr(interaction, "registration.verify.role_failed", contact=contact)
    names = role_names(interaction, roles)
    if result.outcome == "already":
        return tr(interaction, "registration.verify.already", roles=names)
    key = (
        "registration.verify.done" if "participant" in roles else "registration.verify.done_mentor"
    )
    return tr(interaction, key, roles=names)


DYNAMIC_ITEMS = (VerifyButton,)
