"""The value types every settings section shares, and the checks that make them strict.

A TOML value of the wrong kind is refused instead of converted: ``max_size = true`` is not 1,
``max_size = "5"`` is not 5, and a duration of ``"0s"`` is not a timeout.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from bot.clock import ensure_utc
from bot.durations import parse_duration

DISCORD_NAME_MAX = 100  # roles, channels and servers
DURATION_FORMS = '"90s", "10m", "48h", "2d" or combined as "1d12h"'


def toml_repr(value: Any) -> str:
    """A value as it was written in TOML: ``true``, ``"text"``, ``5``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = parse_duration(value)
        except ValueError:
            raise ValueError(
                f"must be a duration such as {DURATION_FORMS}, got {toml_repr(value)}"
            ) from None
    else:
        raise ValueError(
            f"must be a duration in quotes such as {DURATION_FORMS}, got {toml_repr(value)}"
        )
    return parsed


def _positive_duration(value: Any) -> timedelta:
    parsed = _duration(value)
    if parsed <= timedelta(0):
        raise ValueError(
            f"must be longer than zero, such as {DURATION_FORMS}, got {toml_repr(value)}"
        )
    return parsed


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a UTC offset, e.g. 2024-04-10T23:59:00-12:00")
    return ensure_utc(value)


def _name_or_id(value: Any) -> str | int:
    allowed = f"a name (1 to {DISCORD_NAME_MAX} characters) or a numeric Discord id"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"must be {allowed}, got {toml_repr(value)}")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"must be {allowed}; a Discord id is positive, got {value}")
        return value
    if not value.strip():
        raise ValueError(f"must be {allowed}, got an empty name {toml_repr(value)}")
    if len(value) > DISCORD_NAME_MAX:
        raise ValueError(f"must be {allowed}, got {len(value)} characters")
    return value


def _time_zone(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            "must be an IANA time zone name such as "
            f'"Europe/Madrid" or "America/Mexico_City", got {toml_repr(value)}'
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            "is not a known IANA time zone; use a name such as "
            f'"Europe/Madrid", "America/Mexico_City" or "UTC", got {toml_repr(value)}'
        ) from None
    return value


# A duration written "90s", "10m", "48h", "2d" or "1d12h"; always longer than zero.
Duration = Annotated[timedelta, BeforeValidator(_positive_duration)]
# The same, where zero means "off" (never used for a timeout or a period).
NonNegativeDuration = Annotated[timedelta, BeforeValidator(_duration)]
UtcDateTime = Annotated[datetime, AfterValidator(_aware)]
NameOrId = Annotated[
    str | int,
    BeforeValidator(_name_or_id),
    Field(description="a name, or a numeric Discord id"),
]
TimeZoneName = Annotated[str, BeforeValidator(_time_zone)]

# Which Python values a TOML value of each kind may be, for fields of these plain types.
_STRICT: dict[Any, tuple[type, ...]] = {int: (int,), float: (int, float), bool: (bool,)}
_KIND: dict[Any, str] = {int: "a whole number", float: "a number", bool: "true or false"}


class Section(BaseModel):
    """A table of config.toml: unknown keys are errors and plain values are strict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_scalars(cls, value: Any, info: ValidationInfo) -> Any:
        """``true`` is not a number and ``"5"`` is not 5: refuse what pydantic would convert."""
        field = cls.model_fields.get(info.field_name or "")
        kind = None if field is None else field.annotation
        accepted = _STRICT.get(kind)
        if accepted is None:
            return value
        if isinstance(value, bool) and bool not in accepted:
            raise ValueError(f"must be {_KIND[kind]}, got {toml_repr(value)}")
        if not isinstance(value, accepted):
            raise ValueError(f"must be {_KIND[kind]}, got {toml_repr(value)}")
        return value
