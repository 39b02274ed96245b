"""Synced application commands and the option checks Discord's own client applies."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import RejectedByDiscord
from .models import Guild
from .permissions import channel_permissions

if TYPE_CHECKING:
    from .state import State

SUB_COMMAND, SUB_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = range(3, 12)
TYPE_NAMES = {
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}
INT_BOUND = 2**53


def resolve_path(
    commands: list[dict[str, Any]], path: str
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """(command, chain of subcommand group/subcommand options, the leaf's option schema)."""
    parts = path.strip().lstrip("/").split()
    if not parts:
        raise RejectedByDiscord("empty command path")
    command = next(
        (c for c in commands if c.get("name") == parts[0] and int(c.get("type", 1)) == 1), None
    )
    if command is None:
        raise RejectedByDiscord(f"unknown command /{parts[0]}")
    chain: list[dict[str, Any]] = []
    schema: list[dict[str, Any]] = list(command.get("options") or [])
    for part in parts[1:]:
        sub = next(
            (
                o
                for o in schema
                if o.get("name") == part and o.get("type") in (SUB_COMMAND, SUB_GROUP)
            ),
            None,
        )
        if sub is None:
            raise RejectedByDiscord(f"unknown subcommand {part!r} in /{' '.join(parts)}")
        chain.append(sub)
        schema = list(sub.get("options") or [])
    if any(o.get("type") in (SUB_COMMAND, SUB_GROUP) for o in schema):
        names = [o["name"] for o in schema]
        raise RejectedByDiscord(f"/{' '.join(parts)} needs a subcommand: one of {names}")
    return command, chain, schema


class OptionBuilder:
    """Turns scenario-style option values into the options and resolved data Discord sends."""

    def __init__(self, state: State, guild: Guild, channel_id: int) -> None:
        self.state = state
        self.guild = guild
        self.channel_id = channel_id
        self.resolved: dict[str, dict[str, Any]] = {}

    def build(
        self, schema: list[dict[str, Any]], given: dict[str, Any], focused: str | None = None
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in schema}
        for name in given:
            if name not in by_name:
                raise RejectedByDiscord(f"unknown option {name!r}; known: {list(by_name)}")
        if focused is not None and focused not in by_name:
            raise RejectedByDiscord(f"unknown focused option {focused!r}")
        result: list[dict[str, Any]] = []
        for option in schema:
            name = option["name"]
            if name not in given or given[name] is None:
                if option.get("required") and focused is None:
                    raise RejectedByDiscord(f"missing required option {name!r}")
                if name != focused:
                    continue
            raw = given.get(name, "")
            entry: dict[str, Any] = {"name": name, "type": option["type"]}
            if name == focused:
                if not option.get("autocomplete"):
                    raise RejectedByDiscord(f"option {name!r} has no autocomplete")
                entry["value"] = str(raw) if option["type"] == STRING else raw
                entry["focused"] = True
            else:
                entry["value"] = self.convert(option, raw)
            result.append(entry)
        return result

    def convert(self, option: dict[str, Any], raw: Any) -> Any:
        kind = int(option["type"])
        name = option["name"]
        if kind == STRING:
            value: Any = raw if isinstance(raw, str) else str(raw)
            if option.get("choices"):
                value = self._choice(option, value)
            else:
                value = self._typed_text(value)
            min_len, max_len = option.get("min_length"), option.get("max_length", 6000)
            if max_len is not None and len(value) > int(max_len):
                raise RejectedByDiscord(f"option {name!r} is longer than {max_len} characters")
            if min_len is not None and len(value) < int(min_len):
                raise RejectedByDiscord(f"option {name!r} is shorter than {min_len} characters")
            return value
        if kind in (INTEGER, NUMBER):
            return self._number(option, raw)
        if kind == BOOLEAN:
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("true", "false"):
                return str(raw).lower() == "true"
            raise RejectedByDiscord(f"option {name!r} needs true or false, got {raw!r}")
        if kind == USER:
            return str(self._user(raw, name))
        if kind == ROLE:
            return str(self._role(raw, name))
        if kind == MENTIONABLE:
            try:
                return str(self._user(raw, name))
            except RejectedByDiscord:
                return str(self._role(raw, name))
        if kind == CHANNEL:
            return str(self._channel(option, raw))
        if kind == ATTACHMENT:
            return str(self._attachment(raw))
        raise RejectedByDiscord(f"option {name!r} has unsupported type {kind}")

    def _typed_text(self, text: str) -> str:
        """What Discord's client sends for text typed into a string option: the text as
        written (``@everyone``, ``<@&1>``, ``#general`` stay text), except that a whole
        ``@handle`` of a member becomes their mention, as when picked from the client's pop-up."""
        if text.startswith("@"):
            user_id = self.state.handles.get(text[1:])
            if user_id is not None and user_id in self.guild.members:
                return f"<@{user_id}>"
        return text

    def _choice(self, option: dict[str, Any], value: Any) -> Any:
        choices = option.get("choices")
        if not choices:
            return value
        for choice in choices:
            if choice["value"] == value and not isinstance(value, bool):
                return choice["value"]
        for choice in choices:
            if choice["name"] == value:
                return choice["value"]
        offered = [c["name"] for c in choices]
        raise RejectedByDiscord(
            f"{value!r} is not a choice of option {option['name']!r}; offered: {offered}"
        )

    def _number(self, option: dict[str, Any], raw: Any) -> int | float:
        name, kind = option["name"], int(option["type"])
        if option.get("choices"):
            value = self._choice(option, raw)
            if isinstance(value, (int, float)):
                return value
        if isinstance(raw, bool):
            raise RejectedByDiscord(f"option {name!r} needs a {TYPE_NAMES[kind]}, got {raw!r}")
        try:
            number: int | float = (
                int(raw) if kind == INTEGER and not isinstance(raw, float) else float(raw)
            )
        except (TypeError, ValueError):
            raise RejectedByDiscord(
                f"option {name!r} needs a {TYPE_NAMES[kind]}, got {raw!r}"
            ) from None
        if kind == INTEGER and isinstance(number, float):
            if not number.is_integer():
                raise RejectedByDiscord(f"option {name!r} needs an integer, got {raw!r}")
            number = int(number)
        low = option.get("min_value", -INT_BOUND)
        high = option.get("max_value", INT_BOUND)
        if (low is not None and number < low) or (high is not None and number > high):
            raise RejectedByDiscord(
                f"option {name!r} must be between {low} and {high}, got {number}"
            )
        return number

    def _user(self, raw: Any, name: str) -> int:
        user_id: int | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            user_id = raw
        else:
            text = str(raw).strip()
            match = re.fullmatch(r"<@!?(\d+)>", text)
            if match:
                user_id = int(match.group(1))
            elif text.isdigit():
                user_id = int(text)
            else:
                user_id = self.state.handles.get(text.removeprefix("@"))
        if user_id is None or user_id not in self.state.users:
            raise RejectedByDiscord(f"option {name!r}: no user {raw!r}")
        user = self.state.users[user_id]
        self.resolved.setdefault("users", {})[str(user_id)] = user.to_dict()
        member = self.guild.members.get(user_id)
        if member is not None:
            data = member.to_dict(with_user=False)
            channel = self.guild.channels.get(self.channel_id)
            data["permissions"] = str(channel_permissions(self.guild, channel, user_id))
            self.resolved.setdefault("members", {})[str(user_id)] = data
        return user_id

    def _role(self, raw: Any, name: str) -> int:
        text = str(raw).strip()
        match = re.fullmatch(r"<@&(\d+)>", text)
        role_id: int | None = None
        if match:
            role_id = int(match.group(1))
        elif text.isdigit():
            role_id = int(text)
        else:
            role_id = next(
                (r.id for r in self.guild.roles.values() if r.name == text.removeprefix("@")), None
            )
        if role_id is None or role_id not in self.guild.roles:
            raise RejectedByDiscord(f"option {name!r}: no role {raw!r}")
        self.resolved.setdefault("roles", {})[str(role_id)] = self.guild.roles[role_id].to_dict()
        return role_id

    def _channel(self, option: dict[str, Any], raw: Any) -> int:
        text = str(raw).strip()
        match = re.fullmatch(r"<#(\d+)>", text)
        channel_id: int | None = None
        if match:
            channel_id = int(match.group(1))
        elif text.isdigit():
            channel_id = int(text)
        else:
            try:
                channel_id = self.state.resolve_where(text, self.guild.id).id
            except LookupError:
                channel_id = None
        channel = self.guild.channels.get(channel_id or 0)
        if channel is None:
            raise RejectedByDiscord(f"option {option['name']!r}: no channel {raw!r}")
        allowed = option.get("channel_types")
        if allowed and channel.type not in allowed:
            raise RejectedByDiscord(
                f"option {option['name']!r}: channel {channel.name!r} is not of an accepted type"
            )
        data = channel.to_dict()
        data["permissions"] = "0"
        self.resolved.setdefault("channels", {})[str(channel.id)] = data
        return channel.id

    def _attachment(self, raw: Any) -> int:
        """A file option: a file name, or ``{"filename": ..., "content": str | bytes}`` for a
        file the bot can download (``Attachment.read()``) from the local CDN."""
        att_id = self.state.ids.next()
        content: bytes | None = None
        if isinstance(raw, dict):
            filename = str(raw.get("filename") or "file")
            body = raw.get("content", b"")
            content = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        else:
            filename = str(raw)
        url = f"https://cdn.discordapp.com/ephemeral-attachments/0/{att_id}/{filename}"
        if content is not None and self.state.cdn_base:
            self.state.uploads[att_id] = content
            url = f"{self.state.cdn_base}/ephemeral-attachments/0/{att_id}/{filename}"
        self.resolved.setdefault("attachments", {})[str(att_id)] = {
            "id": str(att_id),
            "filename": filename,
            "size": len(content) if content is not None else 0,
            "url": url,
            "proxy_url": url,
            "content_type": None,
            "ephemeral": True,
        }
        return att_id


def nest_options(
    chain: list[dict[str, Any]], leaf_options: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    options = leaf_options
    for sub in reversed(chain):
        options = [{"name": sub["name"], "type": sub["type"], "options": options}]
    return options


def stored_command(
    payload: dict[str, Any],
    command_id: int,
    application_id: int,
    version: int,
    guild_id: int | None,
) -> dict[str, Any]:
    """A synced command as Discord echoes it back."""
    # a key sent as null means "the default", which Discord echoes as the value itself
    stored = {key: value for key, value in payload.items() if value is not None}
    stored.setdefault("type", 1)
    stored.setdefault("description", "")
    stored.setdefault("options", [])
    stored.setdefault("name_localizations", None)
    stored.setdefault("description_localizations", None)
    stored.setdefault("default_member_permissions", None)
    stored.setdefault("nsfw", False)
    stored.setdefault("dm_permission", True)
    stored.setdefault("contexts", None)
    stored.setdefault("integration_types", [0])
    stored.update(id=str(command_id), application_id=str(application_id), version=str(version))
    if guild_id is not None:
        stored["guild_id"] = str(guild_id)
    return stored
