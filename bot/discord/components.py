"""Buttons, selects and modals: the trust gate first, then their errors answered through the
same registry as commands.

discord.py only logs what a persistent (dynamic) item's callback raises, and sends what a view
or modal raises to its ``on_error``: both are routed to :func:`bot.discord.limits.answer_error`.
A persistent item's callback does not pass through the command tree, so :func:`guarded` applies
the trust gate (:mod:`bot.discord.trust`) itself, as views and modals do in
``interaction_check``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import discord

from bot.discord import trust
from bot.discord.limits import answer_error

Interaction = discord.Interaction[Any]
Self = TypeVar("Self")


def guarded(
    callback: Callable[[Self, Interaction], Coroutine[Any, Any, None]],
) -> Callable[[Self, Interaction], Coroutine[Any, Any, None]]:
    """Wrap a component callback: only the event's members reach it, and whatever it raises
    is answered by the error registry."""

    @functools.wraps(callback)
    async def wrapper(self: Self, interaction: Interaction) -> None:
        try:
            if not await trust.passes(interaction):
                return
            await callback(self, interaction)
        except Exception as exc:
            await answer_error(interaction, exc)

    return wrapper


class HackView(discord.ui.View):
    async def interaction_check(self, interaction: Interaction, /) -> bool:
        return await trust.passes(interaction)

    async def on_error(
        self, interaction: Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await answer_error(interaction, error)


class HackModal(discord.ui.Modal):
    async def interaction_check(self, interaction: Interaction, /) -> bool:
        return await trust.passes(interaction)

    async def on_error(  # type: ignore[override]  # Modal drops the item argument
        self, interaction: Interaction, error: Exception, /
    ) -> None:
        await answer_error(interaction, error)
