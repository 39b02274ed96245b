"""Mentions the bot builds itself from ids it knows: shown as is (``Safe``), never from input."""

from __future__ import annotations

from bot.text import Safe


def mention(user_id: int) -> Safe:
    """A member mention, ``<@id>``."""
    return Safe(f"<@{int(user_id)}>")


def channel_mention(channel_id: int) -> Safe:
    """A channel or thread mention, ``<#id>``."""
    return Safe(f"<#{int(channel_id)}>")


def role_mention(role_id: int) -> Safe:
    """A role mention, ``<@&id>`` (it pings only where allowed mentions name the role)."""
    return Safe(f"<@&{int(role_id)}>")
