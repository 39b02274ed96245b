"""The trust gate: only the event's server, only its members, only values the bot accepts.

A modified client can send any interaction payload: from another server the bot is in, from a
DM, with any custom_id or option value. Discord's own checks (guild-only commands, option
ranges, default member permissions) are hints that such a payload skips, so the bot checks for
itself, in one place, before anything else runs:

- slash commands and autocomplete: only inside the event's server (:mod:`bot.discord.place`),
  by one of its members; a DM gets ``core.errors.not_in_guild``, another server
  ``core.errors.wrong_guild`` (autocomplete: no choices);
- buttons, selects and modals: inside the event's server, or in a DM with the bot (invitations
  arrive by DM) from a member of the event's server;
- every option value within what the command declares (type, range, length, choices), since
  discord.py does not check ranges itself.

:class:`bot.discord.tree.HackTree` applies it to commands and autocomplete,
:mod:`bot.discord.components` to buttons, selects and modals (discord.py's persistent
``DynamicItem`` callbacks do not go through the tree). Refusals are answered, ephemerally, in
the member's language; refusals of people outside the event are logged, throttled.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any

import discord
from discord import app_commands

from bot.discord.place import EventPlace
from bot.discord.replies import locale_of, send, tr
from bot.i18n import catalogs, language_of

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
# Discord ids are unsigned 64-bit, but every id the bot stores fits a signed BIGINT.
SNOWFLAKE_MAX = 2**63 - 1
# Discord's own bounds for options that declare none.
STRING_MAX = 6000
INTEGER_BOUND = 2**53
_DIGITS = re.compile(r"[0-9]{1,20}")
COMMAND_TYPES = (discord.InteractionType.application_command, discord.InteractionType.autocomplete)


# -- who may talk to the bot -------------------------------------------------------------------
async def refusal(interaction: Interaction) -> str | None:
    """The catalog key of why ``interaction`` is refused, or None when it may go on."""
    client: Any = interaction.client
    place = getattr(client, "place", None)
    if not isinstance(place, EventPlace):
        return None  # not the event's bot (a bare client in a library test)
    guild = place.guild(client)
    if guild is None:
        return "core.errors.not_ready"
    if interaction.guild_id is None:
        if interaction.type in COMMAND_TYPES:
            return "core.errors.not_in_guild"
        # Buttons in DMs (invitations) answer members of the event's server only.
        return None if await _is_member(guild, interaction.user.id) else "core.errors.not_a_member"
    if interaction.guild_id != guild.id:
        return "core.errors.wrong_guild"
    user = interaction.user
    if not isinstance(user, discord.Member) or user.guild.id != guild.id:
        return "core.errors.not_a_member"
    return None


async def _is_member(guild: discord.Guild, user_id: int) -> bool:
    if guild.get_member(user_id) is not None:
        return True
    if guild.chunked:
        return False  # the member list is complete: not a member
    try:
        await guild.fetch_member(user_id)
    except discord.HTTPException:
        return False
    return True


async def refuse(interaction: Interaction, key: str, **params: Any) -> None:
    """Answer a refused interaction: a message only its sender sees, or no choices."""
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
            return
        await send(interaction, tr(interaction, key, **params))
    except discord.HTTPException:
        log.info("could not answer refused interaction %s", interaction.id)


def _log_outsider(interaction: Interaction, key: str) -> None:
    client: Any = interaction.client
    throttle = getattr(client, "refusal_log", None)
    clock = getattr(client, "clock", None)
    if (
        throttle is not None
        and clock is not None
        and not throttle.allow((interaction.user.id, key), clock.now())
    ):
        return
    log.warning(
        "refused an interaction (%s) from user %s in %s",
        key.rsplit(".", 1)[-1],
        interaction.user.id,
        f"server {interaction.guild_id}" if interaction.guild_id else "a DM",
    )


async def passes(interaction: Interaction) -> bool:
    """Apply the gate; a refused interaction is answered here. True when it may go on."""
    key = await refusal(interaction)
    if key is None:
        return True
    _log_outsider(interaction, key)
    await refuse(interaction, key)
    return False


# -- what values a command accepts -------------------------------------------------------------
def bad_option(interaction: Interaction) -> str | None:
    """The (localized) name of the first option whose value the command does not accept, or
    None. Discord checks ranges, lengths and choices in its client; a forged payload skips
    them, and discord.py passes values on unchecked."""
    command = interaction.command
    if not isinstance(command, app_commands.Command):
        return None
    try:
        namespace = interaction.namespace
    except Exception:  # resolved data discord.py cannot read
        return _option_name(interaction, command, None)
    for parameter in command.parameters:
        value = namespace.__dict__.get(parameter.display_name)
        if value is not None and not acceptable(parameter, value):
            return _option_name(interaction, command, parameter)
    return None


def acceptable(parameter: app_commands.Parameter, value: Any) -> bool:
    """Whether ``value`` fits the option ``parameter`` declares."""
    kind = parameter.type
    if kind is discord.AppCommandOptionType.string:
        if not isinstance(value, str):
            return False
        low = parameter.min_value if parameter.min_value is not None else 0
        high = parameter.max_value if parameter.max_value is not None else STRING_MAX
        if not low <= len(value) <= high:
            return False
    elif kind in (discord.AppCommandOptionType.integer, discord.AppCommandOptionType.number):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if kind is discord.AppCommandOptionType.integer and not isinstance(value, int):
            return False
        if not math.isfinite(value) or abs(value) > INTEGER_BOUND:
            return False
        if parameter.min_value is not None and value < parameter.min_value:
            return False
        if parameter.max_value is not None and value > parameter.max_value:
            return False
    elif kind is discord.AppCommandOptionType.boolean:
        return isinstance(value, bool)
    else:
        return True
    return not parameter.choices or value in {choice.value for choice in parameter.choices}


def _option_name(
    interaction: Interaction,
    command: app_commands.Command[Any, ..., Any],
    parameter: app_commands.Parameter | None,
) -> str:
    if parameter is None:
        return "?"
    path = command.qualified_name.replace(" ", ".")
    key = f"commands.{path}.options.{parameter.name}.name"
    return catalogs().get(language_of(locale_of(interaction)), key) or parameter.display_name


# -- values carried in custom_ids ----------------------------------------------------------------
def snowflake(raw: str) -> int | None:
    """An id from a custom_id: ASCII digits, 1 .. 2**63 - 1; None for anything else."""
    if not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= SNOWFLAKE_MAX else None


def bounded(raw: str, low: int, high: int) -> int | None:
    """A small number from a custom_id, within ``low .. high``; None for anything else."""
    if not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None
