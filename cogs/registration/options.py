"""What the registration commands share: the key, the rules, the contact, role names."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.replies import tr
from bot.errors import DomainError
from bot.i18n import Message
from bot.services import registration
from bot.services.registration import RegistrationKey, VerifyRules

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)

# The scope of "a member runs one verification at a time" (modals do not pass the tree's lock).
MEMBER_LOCK = "registration"
EMAIL_MAX = 254
REFERENCE_MAX = 254


def key_of(bot: HackBot) -> RegistrationKey:
    """The registration key; a :class:`DomainError` telling organizers what to set."""
    return registration.registration_key(bot.settings.secrets.registration_secret)


def member_key(bot: HackBot) -> RegistrationKey:
    """The key for a member's verification: without it, members read "not available yet,
    write to the organizers" and the log says what is missing."""
    try:
        return key_of(bot)
    except DomainError as exc:
        log.error("verification refused: REGISTRATION_SECRET is missing or too short")
        raise DomainError("registration.errors.unavailable", contact=contact_of(bot)) from exc


def rules_of(bot: HackBot) -> VerifyRules:
    return VerifyRules.from_settings(bot.settings.config.registration)


def contact_of(bot: HackBot) -> str:
    return bot.settings.config.registration.contact


def role_names(interaction: discord.Interaction[Any], roles: tuple[str, ...]) -> str:
    """``participante y mentor``: the roles of a registration in the member's language."""
    names = [tr(interaction, f"core.roles.{role}") for role in roles]
    return tr(interaction, "registration.verify.and").join(names)


def role_message(roles: tuple[str, ...]) -> list[Message]:
    return [Message(f"core.roles.{role}") for role in roles]
