"""A local Discord (API v10, REST and gateway) that the real discord.py client logs in to."""

from .context import use_local_discord
from .errors import DiscordError, DiscordFault, RejectedByDiscord
from .interactions import Interaction
from .models import BotAccount
from .permissions import FULL_PERMISSIONS
from .server import LocalDiscord
from .state import ChannelSpec

__all__ = [
    "FULL_PERMISSIONS",
    "BotAccount",
    "ChannelSpec",
    "DiscordError",
    "DiscordFault",
    "Interaction",
    "LocalDiscord",
    "RejectedByDiscord",
    "use_local_discord",
]
