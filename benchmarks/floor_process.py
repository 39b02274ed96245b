"""The floor: a bare discord.py bot that defers every interaction and follows up, in a process
of its own against the local Discord.

``python -m benchmarks.floor_process SPEC_JSON`` (the spec of ``bot_process.spec_of``): logs in
with the bot's token, answers every INTERACTION_CREATE with a deferral (thinking, ephemeral)
and one followup, no database, no command tree, no checks. It prints ``ready`` once connected
and runs until its standard input closes. What it costs is what discord.py and the local
Discord cost; what the real bot costs beyond it is the bot's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from bot import event_loop

READY_TIMEOUT = 60.0


class Floor(discord.Client):
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("ok", ephemeral=True)


async def _run(spec: dict[str, Any]) -> None:
    discord.http.Route.BASE = spec["base_url"]
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(spec["gateway_url"])
    client = Floor(intents=discord.Intents.default())
    running = asyncio.create_task(client.start(spec["token"]), name="floor")
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait(
        {ready, running}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
    )
    if ready not in done:
        if running.done():
            running.result()
        raise TimeoutError("the floor bot did not become ready")
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    with contextlib.suppress(Exception):
        await client.close()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await running


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord").setLevel(logging.ERROR)
    event_loop.run(_run(json.loads(sys.argv[1])))  # the bot's loop: like against like
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
