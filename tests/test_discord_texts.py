"""What organizers and members read that does not come from a service: Discord's permissions by
the names its client shows, and the limits in command descriptions taken from the settings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
from discord import app_commands

from bot.app import create_bot
from bot.db import Database
from bot.discord.errors import BotMissingPermissions
from bot.i18n import catalogs
from bot.settings import load_settings
from tests.conftest import CONFIG


def interaction(locale: str) -> Any:
    """Just what the error handler reads: the member's locale and the bot's catalogs."""
    return SimpleNamespace(
        locale=discord.Locale(locale), client=SimpleNamespace(catalogs=catalogs())
    )


def test_missing_permissions_are_named_as_the_discord_client_names_them() -> None:
    error = app_commands.BotMissingPermissions(["send_messages_in_threads", "manage_threads"])

    spanish = BotMissingPermissions().message(interaction("es-ES"), error)
    english = BotMissingPermissions().message(interaction("en-US"), error)

    assert "_" not in spanish and "_" not in english
    assert "Enviar mensajes en hilos y publicaciones, Gestionar hilos y publicaciones" in spanish
    assert "Send Messages in Threads and Posts, Manage Threads and Posts" in english


async def test_name_limits_in_command_descriptions_come_from_the_settings(
    tmp_path: Any,
) -> None:
    settings = load_settings(
        CONFIG, env={}, overrides={"teams": {"name_min_length": 4, "name_max_length": 20}}
    )
    bot = create_bot(settings, db=Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
    try:
        await bot.prepare()
        payloads = {p["name"]: p for p in await bot.command_payloads()}
    finally:
        await bot.db.dispose()

    [create] = [o for o in payloads["team"]["options"] if o["name"] == "create"]
    [name] = [o for o in create["options"] if o["name"] == "name"]
    described = name["description_localizations"]
    assert described["es-ES"] == "El nombre del equipo (de 4 a 20 caracteres)"
    assert described["en-US"] == "The team's name (4 to 20 characters)"
