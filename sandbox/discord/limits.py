"""Discord's size limits on what a bot sends, reported as 50035 Invalid Form Body like Discord."""

from __future__ import annotations

from typing import Any

from . import errors

Problem = tuple[str, str, str]

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_CUSTOM_ID = 100
MAX_ROWS = 5
MAX_ROW_ITEMS = 5
MAX_SELECT_OPTIONS = 25
MAX_CHOICES = 25


def _too_long(path: str, limit: int) -> Problem:
    return (path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _check_len(problems: list[Problem], path: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        problems.append(_too_long(path, limit))


def embed_problems(embeds: Any, base: str = "embeds") -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(embeds, list):
        return problems
    if len(embeds) > MAX_EMBEDS:
        problems.append(_too_long(base, MAX_EMBEDS))
    total = 0
    for i, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            continue
        path = f"{base}.{i}"
        title = embed.get("title") or ""
        description = embed.get("description") or ""
        _check_len(problems, f"{path}.title", title, 256)
        _check_len(problems, f"{path}.description", description, 4096)
        total += len(title) + len(description)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(_too_long(f"{path}.fields", 25))
        for j, fld in enumerate(fields):
            name, value = str(fld.get("name", "")), str(fld.get("value", ""))
            _check_len(problems, f"{path}.fields.{j}.name", name, 256)
            _check_len(problems, f"{path}.fields.{j}.value", value, 1024)
            if not name:
                problems.append(
                    (f"{path}.fields.{j}.name", "BASE_TYPE_REQUIRED", "This field is required")
                )
            if not value:
                problems.append(
                    (f"{path}.fields.{j}.value", "BASE_TYPE_REQUIRED", "This field is required")
                )
            total += len(name) + len(value)
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        _check_len(problems, f"{path}.footer.text", footer, 2048)
        _check_len(problems, f"{path}.author.name", author, 256)
        total += len(footer) + len(author)
    if total > MAX_EMBED_TOTAL:
        problems.append(
            (base, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        )
    return problems


def _component_problems(comp: dict[str, Any], path: str, problems: list[Problem]) -> None:
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    _check_len(problems, f"{path}.custom_id", custom_id, MAX_CUSTOM_ID)
    if ctype == 2:
        _check_len(problems, f"{path}.label", comp.get("label"), 80)
        if comp.get("style") != 5 and comp.get("style") != 6 and not custom_id:
            problems.append((f"{path}.custom_id", "BASE_TYPE_REQUIRED", "This field is required"))
    elif ctype in (3, 5, 6, 7, 8):
        _check_len(problems, f"{path}.placeholder", comp.get("placeholder"), 150)
        options = comp.get("options") or []
        if ctype == 3 and not options:
            problems.append(
                (f"{path}.options", "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
            )
        if len(options) > MAX_SELECT_OPTIONS:
            problems.append(_too_long(f"{path}.options", MAX_SELECT_OPTIONS))
        for k, option in enumerate(options):
            _check_len(problems, f"{path}.options.{k}.label", option.get("label"), 100)
            _check_len(problems, f"{path}.options.{k}.value", option.get("value"), 100)
            _check_len(problems, f"{path}.options.{k}.description", option.get("description"), 100)
    elif ctype == 4:
        _check_len(problems, f"{path}.label", comp.get("label"), 45)
    children = comp.get("components")
    if isinstance(children, list):
        if ctype == 1 and len(children) > MAX_ROW_ITEMS:
            problems.append(_too_long(f"{path}.components", MAX_ROW_ITEMS))
        for k, child in enumerate(children):
            if isinstance(child, dict):
                _component_problems(child, f"{path}.components.{k}", problems)
    for key in ("component", "accessory"):
        child = comp.get(key)
        if isinstance(child, dict):
            _component_problems(child, f"{path}.{key}", problems)


def component_problems(components: Any, flags: int = 0) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(components, list):
        return problems
    is_v2 = bool(flags & (1 << 15))
    if not is_v2 and len(components) > MAX_ROWS:
        problems.append(_too_long("components", MAX_ROWS))
    for i, comp in enumerate(components):
        if isinstance(comp, dict):
            _component_problems(comp, f"components.{i}", problems)
    return problems


def check_message(payload: dict[str, Any], *, files: int = 0, partial: bool = False) -> None:
    """Raise what Discord answers for a message payload breaking a limit (or empty)."""
    problems: list[Problem] = []
    content = payload.get("content")
    if content is not None and not isinstance(content, str):
        content = str(content)
    _check_len(problems, "content", content, MAX_CONTENT)
    problems += embed_problems(payload.get("embeds"))
    problems += component_problems(payload.get("components"), int(payload.get("flags") or 0))
    if problems:
        raise errors.invalid_form(problems)
    if partial:
        return
    has_components = bool(payload.get("components"))
    has_body = content or payload.get("embeds") or files or has_components
    if not (has_body or payload.get("poll") or payload.get("sticker_ids")):
        raise errors.empty_message()


def check_choices(choices: Any) -> None:
    problems: list[Problem] = []
    if isinstance(choices, list):
        if len(choices) > MAX_CHOICES:
            problems.append(_too_long("data.choices", MAX_CHOICES))
        for i, choice in enumerate(choices):
            _check_len(problems, f"data.choices.{i}.name", choice.get("name"), 100)
            _check_len(problems, f"data.choices.{i}.value", choice.get("value"), 100)
    if problems:
        raise errors.invalid_form(problems)


def check_modal(data: dict[str, Any]) -> None:
    problems: list[Problem] = []
    _check_len(problems, "data.title", data.get("title"), 45)
    _check_len(problems, "data.custom_id", data.get("custom_id"), MAX_CUSTOM_ID)
    components = data.get("components") or []
    if len(components) > 5:
        problems.append(_too_long("data.components", 5))
    for i, comp in enumerate(components):
        if isinstance(comp, dict):
            _component_problems(comp, f"data.components.{i}", problems)
    if problems:
        raise errors.invalid_form(problems)
