"""Rendering a rehearsal: JSON lines for machines, a readable chat log for people."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

INDENT = "    "


def json_line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def describe_action(action: dict[str, Any]) -> str:
    who = action.get("as", "")
    if "run" in action:
        options = " ".join(
            f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in action.get("options", {}).items()
        )
        where = f" in {action['in']}" if "in" in action else ""
        return f"{who} runs /{action['run']}{(' ' + options) if options else ''}{where}"
    if "click" in action:
        target = action["click"]
        label = f"button #{target['index'] + 1}" if isinstance(target, dict) else f"[{target}]"
        return f"{who} clicks {label}{(' in ' + action['in']) if 'in' in action else ''}"
    if "submit" in action:
        return f"{who} submits the form {json.dumps(action['submit'], ensure_ascii=False)}"
    if "choose" in action:
        return f"{who} chooses {json.dumps(action['choose'], ensure_ascii=False)}"
    if "parallel" in action:
        return f"at the same moment: {len(action['parallel'])} actions"
    if "advance" in action:
        return f"time moves forward {action['advance']}"
    if "calendar" in action:
        change = json.dumps(action["calendar"], ensure_ascii=False, default=str)
        return f"the calendar changes: {change}"
    if "hub" in action:
        return f"the Hub changes: {json.dumps(action['hub'], ensure_ascii=False, default=str)}"
    if "restart" in action:
        return "the bot is killed and started again"
    if "leave" in action:
        return f"{action['leave']} leaves the server"
    return json.dumps(action, ensure_ascii=False)


def _message_lines(message: dict[str, Any], prefix: str) -> list[str]:
    pad = " " * len(prefix)
    body = (message.get("content") or "").splitlines()
    for embed in message.get("embeds") or []:
        if embed.get("title"):
            body.append(f"┃ {embed['title']}")
        body.extend(f"┃ {text}" for text in (embed.get("description") or "").splitlines())
        for fld in embed.get("fields") or []:
            body.append(f"┃ {fld.get('name')}: {fld.get('value')}".replace("\n", " / "))
        if embed.get("footer"):
            body.append(f"┃ — {embed['footer']}")
    if message.get("buttons"):
        body.append(" ".join(f"[{b}]" for b in message["buttons"]))
    if message.get("selects"):
        body.append(" ".join(f"<{s} ▾>" for s in message["selects"]))
    if message.get("files"):
        body.append("files: " + ", ".join(message["files"]))
    if not body:
        return [prefix.rstrip()]
    return [prefix + body[0]] + [pad + line for line in body[1:]]


def _reply_lines(reply: dict[str, Any], who: str) -> list[str]:
    if "rejected_by_discord" in reply:
        return [f"{INDENT}✗ Discord would not send this: {reply['rejected_by_discord']}"]
    if reply.get("modal"):
        modal = reply["modal"]
        return [f'{INDENT}⧉ form "{modal.get("title")}": ' + ", ".join(modal.get("fields", []))]
    if "choices" in reply:
        return [
            f"{INDENT}⋯ suggestions: " + ", ".join(str(c.get("name")) for c in reply["choices"])
        ]
    tag = f"(only {who}) " if reply.get("ephemeral") else ""
    return _message_lines(reply, f"{INDENT}⤷ {tag}")


def _effect_lines(effect: dict[str, Any]) -> list[str]:
    kind = effect.get("type")
    if kind in ("message", "message_edited"):
        verb = "posts in" if kind == "message" else "edits in"
        return _message_lines(effect, f"{INDENT}• {verb} {effect.get('channel')}: ")
    details = ", ".join(f"{k}={v}" for k, v in effect.items() if k != "type")
    return [f"{INDENT}• {kind}: {details}"]


def humanized(value: Any, readable: Callable[[str], str]) -> Any:
    """``value`` with every string passed through ``readable``."""
    if isinstance(value, str):
        return readable(value)
    if isinstance(value, list):
        return [humanized(v, readable) for v in value]
    if isinstance(value, dict):
        return {k: humanized(v, readable) for k, v in value.items()}
    return value


def render_step(out: TextIO, line: dict[str, Any], readable: Callable[[str], str] = str) -> None:
    line = {
        **line,
        "replies": humanized(line.get("replies"), readable),
        "effects": humanized(line.get("effects"), readable),
    }
    action = line["action"]
    ack = line.get("ack_ms")
    ack_text = f"  (answered in {ack:.0f} ms)" if isinstance(ack, int | float) else ""
    out.write(f"\n[{line['step']}] {describe_action(action)}{ack_text}\n")
    replies = line.get("replies") or []
    if "parallel" in action:
        for inner, inner_replies in zip(action["parallel"], replies, strict=False):
            out.write(f"  {describe_action(inner)}\n")
            for reply in inner_replies:
                out.write("\n".join(_reply_lines(reply, inner.get("as", ""))) + "\n")
    else:
        for reply in replies:
            out.write("\n".join(_reply_lines(reply, action.get("as", ""))) + "\n")
    for effect in line.get("effects") or []:
        out.write("\n".join(_effect_lines(effect)) + "\n")
    for error in line.get("errors") or []:
        out.write(f"{INDENT}! error: {json_line(error)}\n")


def render_state(out: TextIO, state: dict[str, Any]) -> None:
    """The state line as a person reads it: each feature's own lines, then counts."""
    from sandbox.state import readable_state

    out.write("\nState at the end:\n")
    for line in readable_state(state):
        out.write(f"{INDENT}{line}\n")
