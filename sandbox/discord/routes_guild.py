"""REST routes for login, the gateway URL, application commands, roles, members, events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .commands import stored_command
from .guards import guild_member_of, require_guild_perm
from .http_core import API_PREFIX, bot_of, json_response, no_content, read_body, server_of
from .http_core import snowflake_arg as sf
from .models import Guild, Role
from .permissions import MANAGE_ROLES, highest_role_position

if TYPE_CHECKING:
    from .server import LocalDiscord as Server

MAX_ROLES = 250
MAX_GLOBAL_COMMANDS = 100


def register(app: web.Application) -> None:
    r, p = app.router, API_PREFIX
    r.add_get(p + "/users/@me", me)
    r.add_get(p + "/users/{user_id}", get_user)
    r.add_get(p + "/oauth2/applications/@me", application)
    r.add_get(p + "/applications/@me", application)
    r.add_get(p + "/gateway", gateway)
    r.add_get(p + "/gateway/bot", gateway_bot)
    r.add_get(p + "/applications/{app_id}/commands", get_commands)
    r.add_put(p + "/applications/{app_id}/commands", put_commands)
    r.add_get(p + "/applications/{app_id}/guilds/{guild_id}/commands", get_commands)
    r.add_put(p + "/applications/{app_id}/guilds/{guild_id}/commands", put_commands)
    r.add_get(p + "/guilds/{guild_id}", get_guild)
    r.add_get(p + "/guilds/{guild_id}/roles", list_roles)
    r.add_post(p + "/guilds/{guild_id}/roles", create_role)
    r.add_patch(p + "/guilds/{guild_id}/roles/{role_id}", edit_role)
    r.add_delete(p + "/guilds/{guild_id}/roles/{role_id}", delete_role)
    r.add_get(p + "/guilds/{guild_id}/members", list_members)
    r.add_get(p + "/guilds/{guild_id}/members/{user_id}", get_member)
    r.add_put(p + "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", add_role)
    r.add_delete(p + "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", remove_role)


async def me(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    user = server.state.users[bot.user_id].to_dict()
    user.update(bot=True, verified=True, mfa_enabled=False, email=None, locale="en-US")
    return json_response(user)


async def get_user(request: web.Request) -> web.Response:
    server = server_of(request)
    bot_of(request)
    user = server.state.users.get(sf(request, "user_id", errors.unknown_user))
    if user is None:
        raise errors.unknown_user()
    return json_response(user.to_dict())


async def application(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    guild = next(iter(server.state.guilds.values()), None)
    owner = server.state.users[guild.owner_id if guild else bot.user_id]
    return json_response(
        {
            "id": str(bot.application_id),
            "name": bot.name,
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": owner.to_dict(),
            "team": None,
            "flags": 0,
            "flags_new": "0",
            "hook": True,
            "bot": server.state.users[bot.user_id].to_dict(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "approximate_guild_count": sum(
                1 for g in server.state.guilds.values() if bot.user_id in g.members
            ),
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "eligible_oauth2_scopes": ["bot", "applications.commands"],
            "tags": [],
            "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
            "integration_types_config": {"0": {}},
        }
    )


async def gateway(request: web.Request) -> web.Response:
    return json_response({"url": server_of(request).gateway_url.rstrip("/")})


async def gateway_bot(request: web.Request) -> web.Response:
    server = server_of(request)
    bot_of(request)
    remaining = max(0, 1000 - server.gateway.identifies)
    return json_response(
        {
            "url": server.gateway_url.rstrip("/"),
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": remaining,
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }
    )


def _command_store(server: Server, request: web.Request) -> tuple[list[dict[str, Any]], int | None]:
    bot = bot_of(request)
    app_id = sf(request, "app_id", errors.unknown_command)
    if app_id != bot.application_id:
        raise errors.DiscordError(
            403, 20012, "You are not authorized to perform this action on this application"
        )
    if "guild_id" not in request.match_info:
        return bot.global_commands, None
    guild = guild_member_of(server.state, bot, sf(request, "guild_id", errors.unknown_guild))
    return guild.commands.setdefault(bot.application_id, []), guild.id


async def get_commands(request: web.Request) -> web.Response:
    commands, _ = _command_store(server_of(request), request)
    return json_response(commands)


async def put_commands(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    commands, guild_id = _command_store(server, request)
    body, _ = await read_body(request)
    incoming = body.get("_list", [])
    if len(incoming) > MAX_GLOBAL_COMMANDS:
        raise errors.DiscordError(
            400, 30032, "Maximum number of application commands reached (100)"
        )
    previous = {(c["name"], int(c.get("type", 1))): c for c in commands}
    stored = []
    for payload in incoming:
        old = previous.get((payload["name"], int(payload.get("type", 1))))
        command_id = int(old["id"]) if old else server.state.ids.next()
        stored.append(
            stored_command(
                payload, command_id, bot.application_id, server.state.ids.next(), guild_id
            )
        )
    commands[:] = stored
    server.touch()
    return json_response(stored)


def _guild(server: Server, request: web.Request) -> Guild:
    return guild_member_of(
        server.state, bot_of(request), sf(request, "guild_id", errors.unknown_guild)
    )


async def get_guild(request: web.Request) -> web.Response:
    """The REST guild: no ``member_count``, ``large``, ``members`` or ``channels`` (those are
    GUILD_CREATE's), and approximate counts only with ``with_counts=true``."""
    server = server_of(request)
    guild = _guild(server, request)
    data = guild.to_dict()
    if request.query.get("with_counts", "false").lower() in ("true", "1"):
        online = {s.bot.user_id for s in server.gateway.live_sessions()}
        data["approximate_member_count"] = len(guild.members)
        data["approximate_presence_count"] = len(online & set(guild.members))
    return json_response(data)


async def list_roles(request: web.Request) -> web.Response:
    guild = _guild(server_of(request), request)
    return json_response([r.to_dict() for r in guild.roles.values()])


def _check_hierarchy(server: Server, guild: Guild, bot_id: int, role: Role) -> None:
    if role.managed or role.id == guild.id:
        raise errors.missing_permissions()
    if role.position >= highest_role_position(guild, bot_id) and bot_id != guild.owner_id:
        raise errors.missing_permissions()


async def create_role(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    guild = _guild(server, request)
    require_guild_perm(server.state, bot, guild, MANAGE_ROLES)
    if len(guild.roles) >= MAX_ROLES:
        raise errors.max_roles()
    payload, _ = await read_body(request)
    for role in guild.roles.values():
        if role.id != guild.id:
            role.position += 1
    role = Role(
        id=server.state.ids.next(),
        name=str(payload.get("name") or "new role"),
        permissions=int(payload.get("permissions") or 0),
        position=1,
        color=int(payload.get("color") or 0),
        hoist=bool(payload.get("hoist", False)),
        mentionable=bool(payload.get("mentionable", False)),
    )
    guild.roles[role.id] = role
    server.gateway.dispatch(
        "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.to_dict()}, guild_id=guild.id
    )
    return json_response(role.to_dict())


def _role(guild: Guild, request: web.Request) -> Role:
    role = guild.roles.get(sf(request, "role_id", errors.unknown_role))
    if role is None:
        raise errors.unknown_role()
    return role


async def edit_role(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    guild = _guild(server, request)
    require_guild_perm(server.state, bot, guild, MANAGE_ROLES)
    role = _role(guild, request)
    if role.id != guild.id:
        _check_hierarchy(server, guild, bot.user_id, role)
    payload, _ = await read_body(request)
    if payload.get("name"):
        role.name = str(payload["name"])
    if payload.get("permissions") is not None:
        role.permissions = int(payload["permissions"])
    for key in ("color", "hoist", "mentionable"):
        if key in payload and payload[key] is not None:
            setattr(role, key, type(getattr(role, key))(payload[key]))
    server.gateway.dispatch(
        "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.to_dict()}, guild_id=guild.id
    )
    return json_response(role.to_dict())


async def delete_role(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    guild = _guild(server, request)
    require_guild_perm(server.state, bot, guild, MANAGE_ROLES)
    role = _role(guild, request)
    _check_hierarchy(server, guild, bot.user_id, role)
    del guild.roles[role.id]
    for member in guild.members.values():
        if role.id in member.roles:
            member.roles.remove(role.id)
    server.gateway.dispatch(
        "GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)}, guild_id=guild.id
    )
    return no_content()


async def list_members(request: web.Request) -> web.Response:
    server = server_of(request)
    guild = _guild(server, request)
    limit = max(1, min(1000, int(request.query.get("limit", "1"))))
    after = int(request.query.get("after", "0"))
    members = sorted(
        (m for m in guild.members.values() if m.user.id > after), key=lambda m: m.user.id
    )
    return json_response([m.to_dict() for m in members[:limit]])


async def get_member(request: web.Request) -> web.Response:
    server = server_of(request)
    guild = _guild(server, request)
    user_id = sf(request, "user_id", errors.unknown_user)
    if user_id not in server.state.users:
        raise errors.unknown_user()
    member = guild.members.get(user_id)
    if member is None:
        raise errors.unknown_member()
    return json_response(member.to_dict())


async def _change_role(request: web.Request, add: bool) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    guild = _guild(server, request)
    require_guild_perm(server.state, bot, guild, MANAGE_ROLES)
    user_id = sf(request, "user_id", errors.unknown_user)
    member = guild.members.get(user_id)
    if member is None:
        raise errors.unknown_member() if user_id in server.state.users else errors.unknown_user()
    role = _role(guild, request)
    _check_hierarchy(server, guild, bot.user_id, role)
    changed = (role.id not in member.roles) if add else (role.id in member.roles)
    if changed:
        if add:
            member.roles.append(role.id)
        else:
            member.roles.remove(role.id)
        server.dispatch_member_update(guild, member)
        server.recorder.add(
            "role_added" if add else "role_removed", member=member.user.username, role=role.name
        )
    return no_content()


async def add_role(request: web.Request) -> web.Response:
    return await _change_role(request, True)


async def remove_role(request: web.Request) -> web.Response:
    return await _change_role(request, False)
