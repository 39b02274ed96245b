"""What the team commands share: the rules in force and the team-name autocomplete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord import app_commands

from bot.services import teams
from bot.services.teams import TeamRules

if TYPE_CHECKING:
    from bot.app import HackBot

# The scope of "a member runs one team command at a time" (bot.discord.tree)
MEMBER_LOCK = "teams"
NAME_MAX = 100  # Discord refuses longer input; the service enforces the real limit with a message
MAX_PAGE = 1000  # the last page `team list` (and its buttons) may ask for


def rules_of(bot: HackBot) -> TeamRules:
    return TeamRules.from_settings(bot.settings.config)


async def team_name_choices(bot: HackBot, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete for a team option: served from the database (it cannot be deferred)."""
    async with bot.db.read() as session:
        found = await teams.search_team_names(
            session, current, limit=25, rules=rules_of(bot), now=bot.clock.now()
        )
    return [app_commands.Choice(name=team.name[:100], value=team.name[:100]) for team in found]
