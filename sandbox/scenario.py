"""Scenario files for `hackbot rehearse`: parsed and checked before anything runs.

The format is the contract in docs/rehearsals.md; every problem names the step and the key.
"""

from __future__ import annotations

import os
import stat
import tomllib
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.durations import parse_duration
from sandbox.hub import FAULTS, REPO_FIELDS

ROLE_KEYS = ("participant", "mentor", "organizer")
# A scenario (or the config it names) larger than this is refused unread.
MAX_FILE_BYTES = 1024 * 1024
TOP_KEYS = {
    "title",
    "clock",
    "config",
    "settings",
    "members",
    "hub",
    "registrations",
    "calendar",
    "steps",
}
MEMBER_KEYS = {"roles", "locale", "dms"}
REGISTRATION_KEYS = {"email", "role", "name", "country", "hub_user"}
REGISTRATION_ROLES = ("participant", "mentor")
HUB_KINDS = ("models", "datasets", "spaces")
HUB_REPO_KEYS = REPO_FIELDS
HUB_FAULTS = FAULTS | {"none"}
EVENT_KEYS = {
    "id",
    "summary",
    "start",
    "end",
    "description",
    "status",
    "location",
    "timeZone",
    "recurrence",
}
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
    # Rows of the sign-up lists (contract: imported before the first step); no feature reads
    # them yet, so they are checked and kept.
    registrations: list[dict[str, Any]] = field(default_factory=list)


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


def _registrations(rows: Any) -> list[dict[str, Any]]:
    if not isinstance(rows, list):
        raise ScenarioError("registrations: must be an array of tables ([[registrations]])")
    for index, row in enumerate(rows, start=1):
        where = f"registrations[{index}]"
        if not isinstance(row, dict):
            raise ScenarioError(f"{where}: must be a table")
        _unknown(set(row), REGISTRATION_KEYS, where)
        if not isinstance(row.get("email"), str) or "@" not in row["email"]:
            raise ScenarioError(f"{where}.email: an email address is required")
        if row.get("role", "participant") not in REGISTRATION_ROLES:
            raise ScenarioError(
                f"{where}.role: one of {', '.join(REGISTRATION_ROLES)}, got {row.get('role')!r}"
            )
        for key in ("name", "country", "hub_user"):
            if key in row and not isinstance(row[key], str):
                raise ScenarioError(f"{where}.{key}: must be a string, got {row[key]!r}")
    return list(rows)


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
        _event_times(event, where + ".")
    return list(events)


def _event_times(event: dict[str, Any], where: str, close: str = "") -> None:
    """A calendar event's ``start``/``end``: a date (all-day), a time with an offset, or a local
    time with the event's ``timeZone``; what the local Calendar refuses beyond that (no end, a
    bad status) is a step error when the step runs."""
    for key in ("start", "end"):
        if key not in event:
            continue
        value = event[key]
        if isinstance(value, date) or (
            isinstance(value, str) and len(value) == 10 and value[4] == "-"
        ):
            continue
        if "timeZone" in event and isinstance(value, str | datetime):
            continue
        parse_time(value, f"{where}{key}{close}")


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
        # An option's value is not checked here: "@everyone" is text a member may type in a
        # string option; in a user option an unknown "@handle" fails the step when it runs.
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
            _event_times(value["upsert"], f"{where}: key 'calendar.upsert.", "'")
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


# Bidirectional controls reorder what a terminal shows (the "Trojan Source" trick).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unprintable(ch: str) -> bool:
    """A character a terminal acts on instead of showing: C0 and C1 controls (ESC starts
    an escape sequence, CR rewrites the line), DEL and bidirectional controls."""
    return (unicodedata.category(ch) == "Cc" and ch not in "\n\t") or ch in _BIDI


def printable(text: str, *, json: bool = False) -> str:
    """``text`` safe to print on a terminal: each character :func:`unprintable` says a
    terminal would act on is shown as ``\\xNN`` (``\\uNNNN`` with ``json``, a valid escape
    inside a JSON string) instead."""
    if not any(unprintable(ch) for ch in text):
        return text
    return "".join(
        (f"\\u{ord(ch):04x}" if json or ord(ch) > 0xFF else f"\\x{ord(ch):02x}")
        if unprintable(ch)
        else ch
        for ch in text
    )


def read_limited(path: Path, label: str = "", limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of the regular file ``path``, or a one-line :class:`ScenarioError`
    (starting with ``label``: the scenario's own path is printed before it by the caller).

    Devices (``/dev/zero``), pipes, sockets and directories are refused before anything is
    read (a FIFO is opened without blocking), and so is a file of more than ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise ScenarioError(f"{label}file not found") from None
    except PermissionError:
        raise ScenarioError(f"{label}cannot be read (permission denied)") from None
    except OSError as exc:
        raise ScenarioError(f"{label}cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(f"{label}is a directory; give the path of a .toml file")
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(
                f"{label}is not a regular file (a device, a pipe or a socket); "
                "give the path of a .toml file"
            )
        if info.st_size > limit:
            raise ScenarioError(f"{label}is {info.st_size} bytes; at most {limit} are read")
        with os.fdopen(fd, "rb", closefd=False) as file:
            raw = file.read(limit + 1)
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise ScenarioError(f"{label}is more than {limit} bytes; at most {limit} are read")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(f"{label}is not UTF-8 text") from None


def load_scenario(path: Path, default_config: Path) -> Scenario:
    try:
        data = tomllib.loads(read_limited(path))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    _unknown(set(data), TOP_KEYS, "scenario")
    members = _members(data.get("members", {}))
    clock = parse_time(data["clock"], "clock") if "clock" in data else datetime.now(UTC)
    config = (path.parent / data["config"]).resolve() if "config" in data else default_config
    if not config.exists():
        where = "relative to the scenario" if "config" in data else "the current directory's"
        raise ScenarioError(
            f"config: file not found: {config} ({where}; set `config` in the scenario to the "
            "event's config.toml)"
        )
    read_limited(config, f"config: {config}: ")  # settings are read from it later
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
        title=printable(str(data.get("title", path.stem))),
        clock=clock,
        config=config,
        settings=settings,
        members=members,
        hub=_hub(data.get("hub", {})),
        calendar_events=_calendar(data.get("calendar", {})),
        steps=steps,
        registrations=_registrations(data.get("registrations", [])),
    )
