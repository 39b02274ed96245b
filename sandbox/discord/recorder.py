"""What the bot did, in the rehearsal transcript's vocabulary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Message
    from .state import State

SELECT_TYPES = (3, 5, 6, 7, 8)


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every component in a tree (action rows, containers, sections, labels), depth first."""
    found: list[dict[str, Any]] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        found.append(comp)
        children = comp.get("components")
        if isinstance(children, list):
            found += walk_components(children)
        for key in ("accessory", "component"):
            child = comp.get(key)
            if isinstance(child, dict):
                found += walk_components([child])
    return found


def buttons_of(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in walk_components(components) if c.get("type") == 2]


def selects_of(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in walk_components(components) if c.get("type") in SELECT_TYPES]


def button_label(button: dict[str, Any]) -> str:
    label = button.get("label")
    if label:
        return str(label)
    emoji = button.get("emoji") or {}
    return str(emoji.get("name") or button.get("custom_id") or button.get("url") or "")


def select_label(select: dict[str, Any]) -> str:
    return str(select.get("placeholder") or select.get("custom_id") or "")


def render_embed(embed: dict[str, Any]) -> dict[str, Any]:
    footer = embed.get("footer") or {}
    return {
        "title": embed.get("title"),
        "description": embed.get("description"),
        "fields": [
            {"name": f.get("name", ""), "value": f.get("value", "")}
            for f in embed.get("fields") or []
        ],
        "footer": footer.get("text") if isinstance(footer, dict) else None,
    }


def render_body(message: Message) -> dict[str, Any]:
    content = message.content
    if not content:
        texts = [
            str(c.get("content", ""))
            for c in walk_components(message.components)
            if c.get("type") == 10
        ]
        content = "\n".join(texts)
    return {
        "content": content,
        "embeds": [render_embed(e) for e in message.embeds],
        "buttons": [button_label(b) for b in buttons_of(message.components)],
        "selects": [select_label(s) for s in selects_of(message.components)],
        "files": [str(a.get("filename", "")) for a in message.attachments],
    }


def render_reply(message: Message) -> dict[str, Any]:
    reply: dict[str, Any] = {"ephemeral": message.ephemeral}
    reply.update(render_body(message))
    reply["modal"] = None
    return reply


def render_modal(data: dict[str, Any]) -> dict[str, Any]:
    return {"modal": {"title": data.get("title", ""), "fields": modal_field_labels(data)}}


def modal_fields(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label, input component) for every input of a modal, in order."""
    fields: list[tuple[str, dict[str, Any]]] = []
    for comp in data.get("components") or []:
        if comp.get("type") == 1:
            for child in comp.get("components") or []:
                fields.append((str(child.get("label") or child.get("custom_id") or ""), child))
        elif comp.get("type") == 18 and isinstance(comp.get("component"), dict):
            fields.append((str(comp.get("label") or ""), comp["component"]))
        elif comp.get("type") == 4:
            fields.append((str(comp.get("label") or comp.get("custom_id") or ""), comp))
    return fields


def modal_field_labels(data: dict[str, Any]) -> list[str]:
    return [label for label, _ in modal_fields(data)]


def render_mentions(state: State, message: Message) -> dict[str, Any]:
    roles: list[str] = []
    guild = state.guilds.get(message.guild_id or 0)
    if guild is not None:
        roles = [guild.roles[r].name for r in message.mention_roles if r in guild.roles]
    return {
        "everyone": message.mention_everyone,
        "roles": roles,
        "users": [state.handle_of(u) or str(u) for u in message.mentions],
    }


class Recorder:
    """The ordered list of effects."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.effects: list[dict[str, Any]] = []

    def add(self, kind: str, **fields: Any) -> None:
        effect: dict[str, Any] = {"type": kind}
        effect.update(fields)
        self.effects.append(effect)

    def message(self, kind: str, message: Message) -> None:
        channel = self.state.find_channel(message.channel_id)
        label = self.state.label(channel) if channel is not None else str(message.channel_id)
        effect: dict[str, Any] = {"type": kind, "channel": label}
        effect.update(render_body(message))
        effect["mentions"] = render_mentions(self.state, message)
        self.effects.append(effect)

    def take(self) -> list[dict[str, Any]]:
        taken, self.effects = self.effects, []
        return taken
