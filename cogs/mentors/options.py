"""What the mentoring commands and components share: the rules in force, autocomplete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands

from bot.services import mentors
from bot.services.mentors import MentorRules

if TYPE_CHECKING:
    from bot.app import HackBot

# The scope of "a member runs one mentoring command at a time" (bot.discord.tree).
MEMBER_LOCK = "mentors"
PING_MAX = 20  # mentors pinged by one request (the message stays under Discord's 2,000)


def rules_of(bot: HackBot) -> MentorRules:
    return MentorRules.from_settings(bot.settings.config)


def minutes(seconds: float) -> int:
    return max(1, round(seconds / 60))


def topic_choices(bot: HackBot, current: str) -> list[app_commands.Choice[str]]:
    wanted = current.strip().casefold()
    return [
        app_commands.Choice(name=tag, value=tag) for tag in rules_of(bot).expertise if wanted in tag
    ][:25]


def expertise_choices(bot: HackBot, current: str) -> list[app_commands.Choice[str]]:
    """Comma-separated tags: the last one typed is completed, the others kept."""
    done, _, last = current.rpartition(",")
    head = [t.strip() for t in done.split(",") if t.strip()]
    prefix = ", ".join(head) + (", " if head else "")
    return [
        app_commands.Choice(name=(prefix + tag)[:100], value=(prefix + tag)[:100])
        for tag in rules_of(bot).expertise
        if tag not in head and tag.startswith(last.strip().casefold())
    ][:25]


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=n, value=n) for n in mentors.zone_names(current)]
