"""Buttons, selects and modals answer their errors through the same registry as commands.

discord.py only logs what a persistent (dynamic) item's callback raises, and sends what a view
or modal raises to its ``on_error``: both are routed to :func:`bot.discord.errors.report_error`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import discord

from bot.discord.errors import report_error

Interaction = discord.Interaction[Any]
Self = TypeVar("Self")


def guarded(
    callback: Callable[[Self, Interaction], Coroutine[Any, Any, None]],
) -> Callable[[Self, Interaction], Coroutine[Any, Any, None]]:
    """Wrap a component callback: whatever it raises is answered by the error registry."""

    @functools.wraps(callback)
    async def wrapper(self: Self, interaction: Interaction) -> None:
        try:
            await callback(self, interaction)
        except Exception as exc:
            await report_error(interaction, exc)

    return wrapper


class HackView(discord.ui.View):
    async def on_error(
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class HackModal(discord.ui.Modal):
    async def on_error(  # type: ignore[override]  # Modal drops the item argument
        self, interaction: Interaction, error: Exception, /
    ) -> None:
        await report_error(interaction, error)
