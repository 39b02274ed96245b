"""Permission bits and Discord's permission computation (roles, then channel overwrites)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Channel, Guild

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
CREATE_EVENTS = 1 << 44

ALL_PERMISSIONS = (1 << 51) - 1
# Everything but ADMINISTRATOR, so channel overwrites still apply to the bot as they would.
FULL_PERMISSIONS = ALL_PERMISSIONS & ~ADMINISTRATOR

DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
"""@everyone's permissions in a new local guild: Discord's defaults minus creating threads, which
event servers usually keep for staff, so the bot's own role decides what the bot may do."""


def base_permissions(guild: Guild, user_id: int) -> int:
    if user_id == guild.owner_id:
        return ALL_PERMISSIONS
    member = guild.members.get(user_id)
    if member is None:
        return 0
    perms = guild.roles[guild.id].permissions
    for role_id in member.roles:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    if perms & ADMINISTRATOR:
        return ALL_PERMISSIONS
    return perms


def channel_permissions(guild: Guild, channel: Channel | None, user_id: int) -> int:
    perms = base_permissions(guild, user_id)
    if perms & ADMINISTRATOR or channel is None:
        return perms
    target = channel
    if channel.is_thread and channel.parent_id is not None:
        parent = guild.channels.get(channel.parent_id)
        if parent is not None:
            target = parent
    member = guild.members.get(user_id)
    roles = set(member.roles) if member is not None else set()
    overwrites = {int(o["id"]): o for o in target.overwrites}
    everyone = overwrites.get(guild.id)
    if everyone is not None:
        perms &= ~int(everyone.get("deny", 0))
        perms |= int(everyone.get("allow", 0))
    allow = deny = 0
    for ow_id, ow in overwrites.items():
        if int(ow.get("type", 0)) == 0 and ow_id in roles:
            allow |= int(ow.get("allow", 0))
            deny |= int(ow.get("deny", 0))
    perms = (perms & ~deny) | allow
    own = overwrites.get(user_id)
    if own is not None and int(own.get("type", 0)) == 1:
        perms = (perms & ~int(own.get("deny", 0))) | int(own.get("allow", 0))
    if not perms & VIEW_CHANNEL:
        return 0
    return perms


def highest_role_position(guild: Guild, user_id: int) -> int:
    member = guild.members.get(user_id)
    if member is None:
        return -1
    positions = [guild.roles[r].position for r in member.roles if r in guild.roles]
    return max(positions, default=0)
