"""Answering interactions: localized, ephemeral by default, followup once responded.

Used by the command tree's error handler and by every cog and persistent button.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import DomainError
from bot.i18n import catalogs

if TYPE_CHECKING:
    from collections.abc import Sequence

log = logging.getLogger(__name__)


def locale_of(interaction: discord.Interaction[Any]) -> str:
    return str(interaction.locale.value if interaction.locale else "")


def tr(interaction: discord.Interaction[Any], key: str, /, **params: Any) -> str:
    """The catalog message ``key`` in the member's language."""
    return catalogs().t(locale_of(interaction), key, **params)


async def send(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    ephemeral: bool = True,
    embed: discord.Embed | None = None,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
) -> None:
    """Reply, or follow up when the interaction was already answered or deferred."""
    kwargs: dict[str, Any] = {"content": content, "ephemeral": ephemeral}
    all_embeds = [embed] if embed is not None else list(embeds)
    if all_embeds:
        kwargs["embeds"] = all_embeds
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


async def defer(interaction: discord.Interaction[Any], *, ephemeral: bool = True) -> None:
    """Acknowledge within Discord's 3 seconds, before touching the network or database."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(
        error, app_commands.CommandInvokeError | app_commands.TransformerError
    ) and isinstance(error.__cause__ or getattr(error, "original", None), BaseException):
        inner = getattr(error, "original", None) or error.__cause__
        assert inner is not None
        error = inner
    return error


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Turn any error into a reply: domain refusals localized, the rest with an error id."""
    error = _unwrap(error)
    error = (
        getattr(error, "error", error) if isinstance(error, app_commands.CheckFailure) else error
    )
    if isinstance(error, DomainError):
        message = tr(interaction, error.key, **error.params)
    elif isinstance(error, app_commands.NoPrivateMessage):
        message = tr(interaction, "core.errors.not_in_guild")
    elif isinstance(error, app_commands.BotMissingPermissions):
        message = tr(
            interaction,
            "core.errors.bot_missing_permissions",
            permissions=", ".join(error.missing_permissions),
        )
    else:
        error_id = uuid.uuid4().hex[:8]
        command = interaction.command.qualified_name if interaction.command else "?"
        log.error(
            "unexpected error %s in %s by user %s",
            error_id,
            command,
            interaction.user.id,
            exc_info=(type(error), error, error.__traceback__),
        )
        message = tr(interaction, "core.errors.unexpected", error_id=error_id)
    try:
        await send(interaction, message)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id)
