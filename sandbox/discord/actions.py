"""What a member can do in Discord's client: run a command, click, choose, submit a modal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .commands import OptionBuilder, nest_options, resolve_path
from .errors import RejectedByDiscord
from .interactions import Interaction
from .models import BotAccount, Channel, Guild, Message
from .recorder import buttons_of, modal_fields, select_label, selects_of

if TYPE_CHECKING:
    from .server import LocalDiscord


def bot_in(server: LocalDiscord, guild: Guild) -> BotAccount:
    bots = [b for b in server.state.bots.values() if b.user_id in guild.members]
    if not bots:
        raise LookupError(f"no bot in guild {guild.name!r}")
    live = [b for b in bots if server.gateway.live_sessions(b.user_id)]
    return (live or bots)[0]


def command_channel(server: LocalDiscord, guild: Guild, user_id: int, where: str | None) -> Channel:
    state = server.state
    if where is not None:
        channel = state.resolve_where(where, guild.id)
    else:
        candidates = [
            c
            for c in sorted(guild.channels.values(), key=lambda c: c.position)
            if c.type == 0 and state.can_see(user_id, c)
        ]
        if not candidates:
            raise LookupError(f"member cannot see any text channel in {guild.name!r}")
        channel = candidates[0]
    if not state.can_see(user_id, channel):
        raise RejectedByDiscord(f"{state.handle_of(user_id)} cannot see {state.label(channel)}")
    return channel


def commands_for(guild: Guild, bot: BotAccount) -> list[dict[str, Any]]:
    """The commands a member sees in a guild: its guild commands, then the global ones."""
    guild_commands = guild.commands.get(bot.application_id, [])
    names = {c["name"] for c in guild_commands}
    return guild_commands + [c for c in bot.global_commands if c["name"] not in names]


def first_autocomplete(guild: Guild, bot: BotAccount, path: str) -> str:
    _, _, schema = resolve_path(commands_for(guild, bot), path)
    for option in schema:
        if option.get("autocomplete"):
            return str(option["name"])
    raise RejectedByDiscord(f"/{path} has no option with autocomplete")


def command_data(  # noqa: PLR0917
    server: LocalDiscord,
    guild: Guild,
    bot: BotAccount,
    channel: Channel,
    path: str,
    options: dict[str, Any],
    focused: str | None,
) -> dict[str, Any]:
    command, chain, schema = resolve_path(commands_for(guild, bot), path)
    builder = OptionBuilder(server.state, guild, channel.id)
    leaf = builder.build(schema, options, focused)
    data: dict[str, Any] = {
        "id": command["id"],
        "name": command["name"],
        "type": 1,
        "options": nest_options(chain, leaf),
    }
    if builder.resolved:
        data["resolved"] = builder.resolved
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    return data


def find_component_message(
    server: LocalDiscord,
    user_id: int,
    where: str | None,
    pick: Any,
    what: str,
) -> tuple[Message, dict[str, Any]]:
    """The newest message the member can see whose components ``pick`` accepts."""
    state = server.state
    places = None if where in (None, "dm") else {c.id for c in state.resolve_places(str(where))}
    for message in state.visible_messages(user_id):
        channel = state.find_channel(message.channel_id)
        if channel is None:
            continue
        if where == "dm" and channel.type != 1:
            continue
        if places is not None and channel.id not in places:
            continue
        found = pick(message)
        if found is not None:
            return message, found
    handle = state.handle_of(user_id)
    scope = f" in {where}" if where else ""
    raise LookupError(f"no message visible to {handle}{scope} has {what}")


def pick_button(label: str | None, custom_id: str | None, index: int | None) -> Any:
    def pick(message: Message) -> dict[str, Any] | None:
        buttons = buttons_of(message.components)
        if label is None and custom_id is None:
            if index is None:
                raise ValueError("click needs a label, a custom_id or an index")
            return buttons[index] if 0 <= index < len(buttons) else None
        for button in buttons:
            if label is not None and button.get("label") == label:
                return button
            if custom_id is not None and button.get("custom_id") == custom_id:
                return button
        return None

    return pick


def pick_select(select: str | None) -> Any:
    def pick(message: Message) -> dict[str, Any] | None:
        menus = selects_of(message.components)
        if select is None:
            return menus[0] if menus else None
        for menu in menus:
            if select in (menu.get("placeholder"), menu.get("custom_id")):
                return menu
        return None

    return pick


def select_values(
    server: LocalDiscord,
    guild: Guild | None,
    menu: dict[str, Any],
    values: list[str] | None,
    index: int | None,
) -> tuple[list[str], dict[str, Any]]:
    """Values as the client sends them, and resolved data for user/role/channel selects."""
    kind = int(menu.get("type", 3))
    name = select_label(menu)
    if menu.get("disabled"):
        raise RejectedByDiscord(f"select {name!r} is disabled")
    resolved: dict[str, Any] = {}
    if kind == 3:
        options = menu.get("options") or []
        if values is None:
            if index is None or not 0 <= index < len(options):
                raise RejectedByDiscord(f"select {name!r} has no option {index}")
            chosen = [str(options[index]["value"])]
        else:
            chosen = []
            for value in values:
                match = next(
                    (o for o in options if value in (o.get("value"), o.get("label"))), None
                )
                if match is None:
                    offered = [o.get("label") for o in options]
                    raise RejectedByDiscord(
                        f"{value!r} is not an option of {name!r}; offered: {offered}"
                    )
                chosen.append(str(match["value"]))
    else:
        if guild is None or values is None:
            raise RejectedByDiscord(f"select {name!r} needs values")
        builder = OptionBuilder(server.state, guild, 0)
        option_type = {5: 6, 6: 8, 7: 7, 8: 9}[kind]
        chosen = [str(builder.convert({"name": name, "type": option_type}, v)) for v in values]
        resolved = builder.resolved
    low, high = int(menu.get("min_values", 1)), int(menu.get("max_values", 1))
    if not low <= len(chosen) <= high:
        raise RejectedByDiscord(f"select {name!r} takes {low} to {high} values, got {len(chosen)}")
    return chosen, resolved


def modal_submission(ix: Interaction, values: dict[str, str] | list[str]) -> dict[str, Any]:
    assert ix.modal is not None
    fields = modal_fields(ix.modal)
    given: dict[str, str] = {}
    if isinstance(values, list):
        if len(values) > len(fields):
            raise RejectedByDiscord(f"modal has {len(fields)} fields, got {len(values)} values")
        for (_, comp), value in zip(fields, values, strict=False):
            given[str(comp.get("custom_id"))] = value
    else:
        for key, value in values.items():
            match = next((c for label, c in fields if key in (label, c.get("custom_id"))), None)
            if match is None:
                raise RejectedByDiscord(
                    f"modal has no field {key!r}; fields: {[label for label, _ in fields]}"
                )
            given[str(match.get("custom_id"))] = value
    rows: list[dict[str, Any]] = []
    for label, comp in fields:
        custom_id = str(comp.get("custom_id"))
        value = given.get(custom_id, str(comp.get("value") or ""))
        if comp.get("type", 4) == 4:
            if comp.get("required", True) and not value:
                raise RejectedByDiscord(f"modal field {label!r} is required")
            if value and len(value) < int(comp.get("min_length") or 0):
                raise RejectedByDiscord(
                    f"modal field {label!r} is shorter than {comp['min_length']}"
                )
            if len(value) > int(comp.get("max_length") or 4000):
                raise RejectedByDiscord(
                    f"modal field {label!r} is longer than {comp.get('max_length') or 4000}"
                )
            inner: dict[str, Any] = {"type": 4, "custom_id": custom_id, "value": value}
        else:
            inner = {
                "type": comp.get("type"),
                "custom_id": custom_id,
                "values": [value] if value else [],
            }
        in_label = any(
            c.get("type") == 18 and c.get("component") is comp
            for c in ix.modal.get("components") or []
        )
        if in_label:
            rows.append({"type": 18, "component": inner})
        else:
            rows.append({"type": 1, "components": [inner]})
    return {"custom_id": ix.modal.get("custom_id"), "components": rows}
