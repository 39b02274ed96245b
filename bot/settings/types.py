"""The value types every settings section shares."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from bot.clock import ensure_utc
from bot.durations import parse_duration


def _duration(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must include a UTC offset, e.g. 2024-04-10T23:59:00-12:00")
    return ensure_utc(value)


Duration = Annotated[timedelta, BeforeValidator(_duration)]
UtcDateTime = Annotated[datetime, AfterValidator(_aware)]
NameOrId = Annotated[str | int, Field(description="a name, or a numeric Discord id")]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
