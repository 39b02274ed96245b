"""One error registry for commands, buttons, selects and modals alike.

Each handler says which errors it handles and what the member reads (in their language); the
registry asks them in order and falls back to a default that logs the error with an id the
member can quote to the organizers. A feature adds its own handler (``bot.errors.register``
in its cog's ``setup``) without touching the others, as pydis_core's error-handler registry
does.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from abc import ABC, abstractmethod
from typing import Any

import discord
from discord import app_commands

from bot.clients.calendar import CalendarError
from bot.clients.hub import HubError
from bot.db import is_unavailable
from bot.discord.replies import permission_names, send, tr
from bot.errors import DomainError

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]


class ErrorHandler(ABC):
    """Decides whether it handles an error, and what the member reads when it does."""

    @abstractmethod
    def handles(self, error: BaseException) -> bool: ...

    @abstractmethod
    def message(self, interaction: Interaction, error: BaseException) -> str: ...


class DomainErrors(ErrorHandler):
    """Refusals the services raise: the catalog key and parameters they carry."""

    def handles(self, error: BaseException) -> bool:
        return isinstance(error, DomainError)

    def message(self, interaction: Interaction, error: BaseException) -> str:
        assert isinstance(error, DomainError)
        return tr(interaction, error.key, **error.params)


class NotInGuild(ErrorHandler):
    def handles(self, error: BaseException) -> bool:
        return isinstance(error, app_commands.NoPrivateMessage)

    def message(self, interaction: Interaction, error: BaseException) -> str:
        return tr(interaction, "core.errors.not_in_guild")


class BotMissingPermissions(ErrorHandler):
    def handles(self, error: BaseException) -> bool:
        return isinstance(error, app_commands.BotMissingPermissions)

    def message(self, interaction: Interaction, error: BaseException) -> str:
        assert isinstance(error, app_commands.BotMissingPermissions)
        return tr(
            interaction,
            "core.errors.bot_missing_permissions",
            permissions=permission_names(interaction, error.missing_permissions),
        )


class DiscordUnavailable(ErrorHandler):
    """Discord answered 5xx, or did not answer in time: nothing the member did wrong."""

    def handles(self, error: BaseException) -> bool:
        return isinstance(error, discord.DiscordServerError | asyncio.TimeoutError)

    def message(self, interaction: Interaction, error: BaseException) -> str:
        log.warning("discord unavailable during interaction %s: %r", interaction.id, error)
        return tr(interaction, "core.errors.discord_unavailable")


class HubUnavailable(ErrorHandler):
    """A Hub error no feature turned into a check result."""

    def handles(self, error: BaseException) -> bool:
        return isinstance(error, HubError)

    def message(self, interaction: Interaction, error: BaseException) -> str:
        assert isinstance(error, HubError)
        log.warning("hub error during interaction %s: %s", interaction.id, error.kind)
        return tr(interaction, "core.errors.hub_unavailable")


class CalendarUnavailable(ErrorHandler):
    def handles(self, error: BaseException) -> bool:
        return isinstance(error, CalendarError)

    def message(self, interaction: Interaction, error: BaseException) -> str:
        assert isinstance(error, CalendarError)
        log.warning("calendar error during interaction %s: %s", interaction.id, error.kind)
        return tr(interaction, "core.errors.calendar_unavailable")


class DatabaseUnavailable(ErrorHandler):
    """The database was busy past its timeout or its server restarted: the member's command
    failed as a whole (its transaction rolled back) and can simply be sent again."""

    def handles(self, error: BaseException) -> bool:
        return is_unavailable(error)

    def message(self, interaction: Interaction, error: BaseException) -> str:
        log.warning(
            "database unavailable during interaction %s: %s",
            interaction.id,
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
        )
        return tr(interaction, "core.errors.database_unavailable")


class Unexpected(ErrorHandler):
    """The default: log everything with an id, answer generically with that id."""

    def handles(self, error: BaseException) -> bool:
        return True

    def message(self, interaction: Interaction, error: BaseException) -> str:
        error_id = uuid.uuid4().hex[:8]
        log.error(
            "unexpected error %s in %s by user %s",
            error_id,
            _where(interaction),
            interaction.user.id,
            exc_info=(type(error), error, error.__traceback__),
        )
        return tr(interaction, "core.errors.unexpected", error_id=error_id)


def _where(interaction: Interaction) -> str:
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: Any = interaction.data or {}
    custom_id = data.get("custom_id") if isinstance(data, dict) else None
    return f"component {str(custom_id)[:100]}" if custom_id else "?"


def unwrap(error: BaseException) -> BaseException:
    """The error a command or check really raised, out of discord.py's wrappers."""
    while isinstance(
        error, app_commands.CommandInvokeError | app_commands.TransformerError
    ) and isinstance(error.__cause__ or getattr(error, "original", None), BaseException):
        inner = getattr(error, "original", None) or error.__cause__
        assert inner is not None
        error = inner
    if isinstance(error, app_commands.CheckFailure):
        # Our role checks carry a DomainError in ``error``.
        inner_error = getattr(error, "error", None)
        if isinstance(inner_error, BaseException):
            return inner_error
    return error


class ErrorRegistry:
    """Handlers asked in registration order; the default answers whatever none handled."""

    def __init__(self, default: ErrorHandler | None = None) -> None:
        self.handlers: list[ErrorHandler] = []
        self.default = default or Unexpected()

    def register(self, handler: ErrorHandler) -> None:
        if any(type(existing) is type(handler) for existing in self.handlers):
            return  # a cog reloaded: its handler is already there
        self.handlers.append(handler)

    def handler_for(self, error: BaseException) -> ErrorHandler:
        return next((h for h in self.handlers if h.handles(error)), self.default)

    async def report(self, interaction: Interaction, error: BaseException) -> None:
        """Answer ``interaction`` with what the handler of ``error`` says (ephemeral)."""
        error = unwrap(error)
        message = self.handler_for(error).message(interaction, error)
        try:
            await send(interaction, message)
        except discord.HTTPException:
            log.warning("could not deliver an error reply for interaction %s", interaction.id)


def default_registry() -> ErrorRegistry:
    """The handlers every feature shares; features register their own on top."""
    registry = ErrorRegistry()
    for handler in (
        DomainErrors(),
        NotInGuild(),
        BotMissingPermissions(),
        # Before DiscordUnavailable: a connect timeout inside the database driver is a
        # TimeoutError too, and it is the database that did not answer.
        DatabaseUnavailable(),
        DiscordUnavailable(),
        HubUnavailable(),
        CalendarUnavailable(),
    ):
        registry.register(handler)
    return registry


async def report_error(interaction: Interaction, error: BaseException) -> None:
    """Answer through the bot's registry (the shared handlers when the client has none)."""
    registry = getattr(interaction.client, "errors", None)
    if not isinstance(registry, ErrorRegistry):
        registry = default_registry()
    await registry.report(interaction, error)
