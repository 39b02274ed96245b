"""Commands a feature adds to the shared `/admin` group.

`/admin` is one Discord command group (the ``Admin`` cog in ``cogs/admin/``); each feature keeps
its organizer commands in its own package and attaches them to that group, so `/admin verify`
lives in ``cogs/registration/`` and `/admin calendar-sync` in ``cogs/talks/``. A feature writes a
``commands.Cog`` subclass of ``AdminCommands`` with ordinary ``@app_commands.command`` methods;
when the cog is added they become subcommands of `/admin` instead of top-level commands. The
``Admin`` cog is loaded first (``cogs/admin`` sorts before every feature package).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from discord import app_commands
from discord.abc import Snowflake
from discord.ext import commands

ADMIN_GROUP = "admin"


class AdminCommands(commands.Cog):
    """A cog whose application commands are subcommands of `/admin`."""

    def _admin_group(self, bot: commands.Bot) -> app_commands.Group:
        group = bot.tree.get_command(ADMIN_GROUP)
        if not isinstance(group, app_commands.Group):
            raise RuntimeError(f"{type(self).__name__} needs the /{ADMIN_GROUP} group loaded first")
        return group

    async def _inject(
        self,
        bot: commands.bot.BotBase,
        override: bool,
        guild: Snowflake | None,
        guilds: Sequence[Snowflake],
    ) -> Any:
        assert isinstance(bot, commands.Bot)
        group = self._admin_group(bot)
        own = list(self.__cog_app_commands__)
        # The base class adds a plain cog's commands at the top level; these go under /admin.
        self.__cog_app_commands__ = []
        try:
            injected = await super()._inject(bot, override, guild, guilds)
        finally:
            self.__cog_app_commands__ = own
        for command in own:
            command.parent = group
            group.add_command(command)
        return injected

    async def _eject(self, bot: commands.bot.BotBase, guild_ids: Any) -> None:
        assert isinstance(bot, commands.Bot)
        group = bot.tree.get_command(ADMIN_GROUP)
        own = list(self.__cog_app_commands__)
        self.__cog_app_commands__ = []
        try:
            await super()._eject(bot, guild_ids)
        finally:
            self.__cog_app_commands__ = own
        if isinstance(group, app_commands.Group):
            for command in own:
                group.remove_command(command.name)
