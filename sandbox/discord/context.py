"""Point discord.py's REST and gateway at a LocalDiscord, and put them back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import discord.gateway
import discord.http
import yarl

if TYPE_CHECKING:
    from .server import LocalDiscord


@contextmanager
def use_local_discord(server: LocalDiscord) -> Iterator[LocalDiscord]:
    if not server.base_url:
        raise RuntimeError("start the LocalDiscord before using it")
    route = discord.http.Route
    socket = discord.gateway.DiscordWebSocket
    old_base, old_gateway = route.BASE, socket.DEFAULT_GATEWAY
    route.BASE = server.base_url
    socket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    try:
        yield server
    finally:
        route.BASE = old_base
        socket.DEFAULT_GATEWAY = old_gateway
