"""Why the bot could not log in to Discord, in one line an operator can act on (`hackbot run`)."""

from __future__ import annotations

import aiohttp
import discord

# Exit statuses of `hackbot run` (docs/deployment.md, "Exit status and errors").
EXIT_DISCORD_REFUSED = 4  # Discord refused the token or the intents
EXIT_DISCORD_UNREACHABLE = 5  # no answer from Discord
RETRY = "check this machine's network, DNS, proxy or firewall, then start the bot again"


def login_problem(exc: BaseException) -> tuple[str, int] | None:
    """What is wrong and what to do, with the exit status, when ``exc`` ended a login to
    Discord; None for anything else (a bug)."""
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return (
            "Discord refused the connection: the bot needs the Server Members intent; turn it "
            "on in the developer portal (your application, Bot, Privileged Gateway Intents)",
            EXIT_DISCORD_REFUSED,
        )
    if isinstance(exc, discord.LoginFailure):
        return (
            "Discord refused the token in DISCORD_TOKEN (401 Unauthorized); copy the bot's "
            "token again from the developer portal (your application, Bot, Reset Token)",
            EXIT_DISCORD_REFUSED,
        )
    if isinstance(exc, discord.HTTPException) and exc.status >= 500:
        return (
            f"Discord answered {exc.status} {exc.response.reason}; it may be down "
            "(https://discordstatus.com): start the bot again later",
            EXIT_DISCORD_UNREACHABLE,
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = exc.os_error
        if isinstance(cause, ConnectionRefusedError):
            reason = "connection refused"
        else:
            reason = cause.strerror or str(cause) or type(cause).__name__
        return f"cannot reach Discord at {exc.host}:{exc.port} ({reason}); {RETRY}", (
            EXIT_DISCORD_UNREACHABLE
        )
    if isinstance(exc, discord.GatewayNotFound | aiohttp.ClientError | TimeoutError):
        return (
            f"cannot reach Discord ({type(exc).__name__}: {exc}); {RETRY}",
            EXIT_DISCORD_UNREACHABLE,
        )
    return None
