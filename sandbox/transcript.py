"""Rendering a rehearsal: JSON lines for machines, a readable chat log for people.

The JSON lines carry every value exactly as Discord received it. The readable log is for eyes:
invisible characters are shown escaped (``\\u200b``), values longer than :data:`VALUE_LIMIT`
characters are cut with their length noted, a forum post shows its first message, and a rename
names the channel of the thread it renamed.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TextIO

INDENT = "    "
VALUE_LIMIT = 300
# Letters and symbols that render as blank space although Unicode does not call them spaces.
BLANK_LOOKING = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def json_line(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def _invisible(char: str) -> bool:
    if char == " ":
        return False
    return char in BLANK_LOOKING or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def visible(text: str) -> str:
    """``text`` with every character a reader cannot see written as an escape (``\\u200b``)."""
    if text.isprintable() and not any(char in BLANK_LOOKING for char in text):
        return text
    out = []
    for char in text:
        if not _invisible(char):
            out.append(char)
        elif char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif ord(char) > 0xFFFF:
            out.append(f"\\U{ord(char):08x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    return "".join(out)


def shorten(text: str, length: int | None = None, limit: int = VALUE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, noting the whole value's ``length``."""
    length = len(text) if length is None else length
    if length <= limit:
        return text
    return f"{text[:limit]}… ({length:,} characters)"


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
    # Split on newlines only: other separators (U+2028, ...) stay in the line, shown escaped.
    content = message.get("content") or ""
    body = content.split("\n") if content else []
    for embed in message.get("embeds") or []:
        if embed.get("title"):
            body.append(f"┃ {embed['title']}")
        description = embed.get("description") or ""
        body.extend(f"┃ {text}" for text in (description.split("\n") if description else []))
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


def _effect_lines(effect: dict[str, Any], note: dict[str, Any] | None = None) -> list[str]:
    kind = effect.get("type")
    note = note or {}
    if kind in ("message", "message_edited"):
        verb = "posts in" if kind == "message" else "edits in"
        lines = _message_lines(effect, f"{INDENT}• {verb} {effect.get('channel')}: ")
        for path in note.get("saved") or []:
            lines.append(f"{INDENT}  (file saved as {path})")
        return lines
    if kind == "forum_post_created":
        tags = ", ".join(effect.get("tags") or []) or "no tags"
        head = f"{INDENT}• opens a post in #{effect.get('channel')}: {effect.get('title')} [{tags}]"
        first = note.get("first_message")
        if first is None:
            return [head]
        return [head, *_message_lines(first, f"{INDENT}  ↳ first message: ")]
    if kind == "thread_renamed":
        what = "thread"
        if note.get("parent"):
            what = f"{note.get('what', 'thread')} in #{note['parent']}"
        return [f"{INDENT}• renames the {what}: {effect.get('old')} → {effect.get('name')}"]
    details = ", ".join(f"{k}={v}" for k, v in effect.items() if k != "type")
    return [f"{INDENT}• {kind}: {details}"]


def humanized(value: Any, readable: Callable[[str], str]) -> Any:
    """``value`` with every string passed through ``readable`` and cut when too long."""
    if isinstance(value, str):
        return shorten(readable(value), length=len(value))
    if isinstance(value, list):
        return [humanized(v, readable) for v in value]
    if isinstance(value, dict):
        return {k: humanized(v, readable) for k, v in value.items()}
    return value


def _write(out: TextIO, lines: Iterable[str]) -> None:
    for line in lines:
        out.write(visible(line) + "\n")


def render_step(
    out: TextIO,
    line: dict[str, Any],
    readable: Callable[[str], str] = str,
    notes: dict[int, dict[str, Any]] | None = None,
) -> None:
    """One step as a person reads it. ``notes`` holds, by effect index, what the local Discord
    knew that the effect does not say: a forum post's first message, a renamed thread's channel."""
    notes = humanized(notes or {}, readable)
    action = humanized(line["action"], str)
    replies = humanized(line.get("replies"), readable) or []
    effects = humanized(line.get("effects"), readable) or []
    ack = line.get("ack_ms")
    ack_text = f"  (answered in {ack:.0f} ms)" if isinstance(ack, int | float) else ""
    out.write("\n")
    _write(out, [f"[{line['step']}] {describe_action(action)}{ack_text}"])
    if "parallel" in action:
        for inner, inner_replies in zip(action["parallel"], replies, strict=False):
            _write(out, [f"  {describe_action(inner)}"])
            for reply in inner_replies:
                _write(out, _reply_lines(reply, inner.get("as", "")))
    else:
        for reply in replies:
            _write(out, _reply_lines(reply, action.get("as", "")))
    for index, effect in enumerate(effects):
        _write(out, _effect_lines(effect, notes.get(index)))
    for error in line.get("errors") or []:
        _write(out, [f"{INDENT}! error: {json_line(error)}"])


def render_state(out: TextIO, state: dict[str, Any]) -> None:
    """The state line as a person reads it: each feature's own lines, then counts."""
    from sandbox.state import readable_state

    out.write("\nState at the end:\n")
    _write(out, (f"{INDENT}{line}" for line in readable_state(state)))
