"""Scenario files for `hackbot rehearse`: parsed and checked before anything runs.

The format is the contract in docs/rehearsals.md; every problem names the step and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.durations import parse_duration
from sandbox.hub import FAULTS, REPO_FIELDS

ROLE_KEYS = ("participant", "mentor", "organizer")
TOP_KEYS = {"title", "clock", "config", "settings", "members", "hub", "calendar", "steps"}
MEMBER_KEYS = {"roles", "locale", "dms"}
HUB_KINDS = ("models", "datasets", "spaces")
HUB_REPO_KEYS = REPO_FIELDS
HUB_FAULTS = FAULTS | {"none"}
EVENT_KEYS = {"id", "summary", "start", "end", "description", "status", "location"}
ACTIONS = (
    "run",
    "click",
    "submit",
    "choose",
    "parallel",
    "advance",
    "calendar",
    "hub",
    "restart",
    "leave",
)
INTERACTIVE = {"run", "click", "submit", "choose"}
STEP_KEYS = {
    "run": {"as", "run", "options", "in"},
    "click": {"as", "click", "in"},
    "submit": {"as", "submit"},
    "choose": {"as", "choose", "in"},
    "parallel": {"parallel"},
    "advance": {"advance"},
    "calendar": {"calendar"},
    "hub": {"hub"},
    "restart": {"restart"},
    "leave": {"leave"},
}


class ScenarioError(Exception):
    """An invalid scenario: nothing runs."""


@dataclass(frozen=True)
class Member:
    handle: str
    roles: tuple[str, ...]
    locale: str
    dms: bool


@dataclass
class Scenario:
    path: Path
    title: str
    clock: datetime
    config: Path
    settings: dict[str, Any]
    members: dict[str, Member]
    hub: dict[str, Any]
    calendar_events: list[dict[str, Any]]
    steps: list[dict[str, Any]] = field(default_factory=list)


def parse_time(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ScenarioError(f"{where}: not an ISO-8601 time: {value!r}") from None
    else:
        raise ScenarioError(f"{where}: not a time: {value!r}")
    if when.tzinfo is None:
        raise ScenarioError(f"{where}: time needs a UTC offset or Z: {value!r}")
    return when.astimezone(UTC)


def parse_advance(value: Any, where: str) -> timedelta:
    if not isinstance(value, str):
        raise ScenarioError(f'{where}: a duration such as "25h" or "1d2h30m", got {value!r}')
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def _unknown(keys: set[str], allowed: AbstractSet[str], where: str) -> None:
    extra = sorted(keys - allowed)
    if extra:
        raise ScenarioError(
            f"{where}: unknown key {extra[0]!r} (allowed: {', '.join(sorted(allowed))})"
        )


def _members(table: Any) -> dict[str, Member]:
    if not isinstance(table, dict):
        raise ScenarioError("members: must be a table of [members.<handle>]")
    out = {}
    for handle, spec in table.items():
        where = f"members.{handle}"
        if not isinstance(spec, dict):
            raise ScenarioError(f"{where}: must be a table")
        _unknown(set(spec), MEMBER_KEYS, where)
        roles = spec.get("roles", [])
        if not isinstance(roles, list) or any(r not in ROLE_KEYS for r in roles):
            raise ScenarioError(
                f"{where}.roles: each role must be one of {', '.join(ROLE_KEYS)}, got {roles!r}"
            )
        locale = spec.get("locale", "es-ES")
        dms = spec.get("dms", True)
        if not isinstance(locale, str) or not isinstance(dms, bool):
            raise ScenarioError(f"{where}: locale must be a string and dms true or false")
        out[handle] = Member(handle, tuple(roles), locale, dms)
    return out


def _hub(table: Any) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ScenarioError("hub: must be a table")
    _unknown(set(table), {*HUB_KINDS, "faults"}, "hub")
    for kind in HUB_KINDS:
        for repo, spec in table.get(kind, {}).items():
            if not isinstance(spec, dict):
                raise ScenarioError(f"hub.{kind}.{repo}: must be a table")
            _unknown(set(spec), HUB_REPO_KEYS, f"hub.{kind}.{repo}")
    _faults(table.get("faults", {}), "hub.faults")
    return table


def _faults(faults: Any, where: str) -> None:
    if not isinstance(faults, dict):
        raise ScenarioError(f"{where}: must be a table of repo = fault")
    for repo, fault in faults.items():
        if str(fault) not in HUB_FAULTS:
            raise ScenarioError(
                f"{where}.{repo}: fault must be one of "
                f"{', '.join(sorted(HUB_FAULTS))}, got {fault!r}"
            )


def _calendar(table: Any) -> list[dict[str, Any]]:
    if not isinstance(table, dict):
        raise ScenarioError("calendar: must be a table")
    _unknown(set(table), {"events"}, "calendar")
    events = table.get("events", [])
    for index, event in enumerate(events, start=1):
        where = f"calendar.events[{index}]"
        _unknown(set(event), EVENT_KEYS, where)
        if "id" not in event:
            raise ScenarioError(f"{where}: id is required")
        for key in ("start", "end"):
            if key in event:
                parse_time(event[key], f"{where}.{key}")
    return list(events)


def _step(number: int, step: Any, members: dict[str, Member], nested: bool = False) -> None:
    where = f"step {number}"
    if not isinstance(step, dict):
        raise ScenarioError(f"{where}: must be a table")
    actions = [a for a in ACTIONS if a in step]
    if len(actions) != 1:
        extra = sorted(set(step) - {k for keys in STEP_KEYS.values() for k in keys})
        if extra:
            raise ScenarioError(f"{where}: unknown key {extra[0]!r}")
        raise ScenarioError(
            f"{where}: needs exactly one action of {', '.join(ACTIONS)}, got {actions or 'none'}"
        )
    action = actions[0]
    if nested and action not in INTERACTIVE:
        raise ScenarioError(
            f"{where}: parallel holds only run, click, submit or choose, got {action!r}"
        )
    _unknown(set(step), STEP_KEYS[action], where)
    if action in INTERACTIVE:
        handle = step.get("as")
        if handle is None:
            raise ScenarioError(f"{where}: key 'as' is required for {action}")
        if handle not in members:
            raise ScenarioError(f"{where}: key 'as': unknown member {handle!r}")
    value = step[action]
    if action == "run":
        if not isinstance(value, str) or not value.strip() or value.startswith("/"):
            raise ScenarioError(
                f"{where}: key 'run': a command path such as \"team create\", got {value!r}"
            )
        options = step.get("options", {})
        if not isinstance(options, dict):
            raise ScenarioError(f"{where}: key 'options' must be a table")
        for name, option in options.items():
            if isinstance(option, str) and option.startswith("@") and option[1:] not in members:
                raise ScenarioError(f"{where}: key 'options.{name}': unknown member {option!r}")
    elif action == "click":
        if not (isinstance(value, str) or (isinstance(value, dict) and set(value) == {"index"})):
            raise ScenarioError(f"{where}: key 'click': a label, a custom_id or {{ index = N }}")
    elif action == "choose":
        if not isinstance(value, dict) or not value:
            raise ScenarioError(
                f"{where}: key 'choose': {{ \"Placeholder\" = [values] }} or {{ index = N }}"
            )
    elif action == "submit":
        if not isinstance(value, dict | list):
            raise ScenarioError(
                f"{where}: key 'submit': a table of field = value, or a list of values"
            )
    elif action == "parallel":
        if not isinstance(value, list) or not value:
            raise ScenarioError(f"{where}: key 'parallel': a non-empty list of actions")
        for inner in value:
            _step(number, inner, members, nested=True)
    elif action == "advance":
        parse_advance(value, f"{where}: key 'advance'")
    elif action == "calendar":
        if (
            not isinstance(value, dict)
            or len(value) != 1
            or not ({"upsert", "cancel"} & set(value))
        ):
            raise ScenarioError(
                f"{where}: key 'calendar': {{ upsert = {{...}} }} or {{ cancel = \"id\" }}"
            )
        if "upsert" in value:
            _unknown(set(value["upsert"]), EVENT_KEYS, f"{where}: key 'calendar.upsert'")
            for key in ("start", "end"):
                if key in value["upsert"]:
                    parse_time(value["upsert"][key], f"{where}: key 'calendar.upsert.{key}'")
    elif action == "hub":
        if not isinstance(value, dict):
            raise ScenarioError(f"{where}: key 'hub': {{ set = {{...}}, faults = {{...}} }}")
        _unknown(set(value), {"set", "faults"}, f"{where}: key 'hub'")
        for repo, fields in value.get("set", {}).items():
            _unknown(set(fields), HUB_REPO_KEYS, f"{where}: key 'hub.set.{repo}'")
        _faults(value.get("faults", {}), f"{where}: key 'hub.faults'")
    elif action == "restart":
        if value is not True:
            raise ScenarioError(f"{where}: key 'restart' must be true")
    elif action == "leave" and value not in members:
        raise ScenarioError(f"{where}: key 'leave': unknown member {value!r}")


def load_scenario(path: Path, default_config: Path) -> Scenario:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    _unknown(set(data), TOP_KEYS, "scenario")
    members = _members(data.get("members", {}))
    clock = parse_time(data["clock"], "clock") if "clock" in data else datetime.now(UTC)
    config = (path.parent / data["config"]).resolve() if "config" in data else default_config
    if not config.exists():
        raise ScenarioError(f"config: file not found: {config}")
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise ScenarioError("settings: must be a table")
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise ScenarioError("steps: must be an array of tables ([[steps]])")
    for number, step in enumerate(steps, start=1):
        _step(number, step, members)
    return Scenario(
        path=path,
        title=str(data.get("title", path.stem)),
        clock=clock,
        config=config,
        settings=settings,
        members=members,
        hub=_hub(data.get("hub", {})),
        calendar_events=_calendar(data.get("calendar", {})),
        steps=steps,
    )
