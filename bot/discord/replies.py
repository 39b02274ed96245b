"""Answering interactions: localized, ephemeral by default, followup once responded.

Used by the error registry and by every cog and persistent component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import Catalogs, catalogs

if TYPE_CHECKING:
    from collections.abc import Sequence


def locale_of(interaction: discord.Interaction[Any]) -> str:
    return str(interaction.locale.value if interaction.locale else "")


def catalogs_of(interaction: discord.Interaction[Any]) -> Catalogs:
    """The bot's catalogs, whose fallback is the event's default language."""
    found = getattr(interaction.client, "catalogs", None)
    return found if isinstance(found, Catalogs) else catalogs()


def tr(interaction: discord.Interaction[Any], key: str, /, **params: Any) -> str:
    """The catalog message ``key`` in the member's language (the event's when the bot does not
    speak it)."""
    return catalogs_of(interaction).t(locale_of(interaction), key, **params)


def permission_names(interaction: discord.Interaction[Any], names: Sequence[str]) -> str:
    """Discord permissions by the names its client shows, in the member's language (never the
    API's ``send_messages``)."""
    found = catalogs_of(interaction)
    return ", ".join(
        tr(interaction, f"core.permissions.{name}")
        if found.has(f"core.permissions.{name}")
        else name
        for name in names
    )


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
