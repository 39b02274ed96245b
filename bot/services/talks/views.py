"""What the talks services hand out: frozen values, no ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from bot.models import Talk


@dataclass(frozen=True)
class TalkView:
    id: int
    calendar_event_id: str
    title: str
    description: str
    location: str
    start: datetime
    end: datetime
    all_day: bool
    cancelled: bool
    discord_event_id: int | None

    # The columns of a view, in the order of its fields: a read that only shows talks selects
    # these instead of loading ORM rows.
    COLUMNS: ClassVar[tuple[Any, ...]] = (
        Talk.id,
        Talk.calendar_event_id,
        Talk.title,
        Talk.description,
        Talk.location,
        Talk.start_at,
        Talk.end_at,
        Talk.all_day,
        Talk.cancelled,
        Talk.discord_event_id,
    )

    @classmethod
    def of(cls, talk: Talk) -> TalkView:
        return cls(
            id=talk.id,
            calendar_event_id=talk.calendar_event_id,
            title=talk.title,
            description=talk.description,
            location=talk.location,
            start=talk.start_at,
            end=talk.end_at,
            all_day=talk.all_day,
            cancelled=talk.cancelled,
            discord_event_id=talk.discord_event_id,
        )


@dataclass(frozen=True)
class DiscordWork:
    """What Discord must do so its scheduled events show the programme: ``create`` talks with
    no event yet, ``edit`` those whose event is stale, ``delete`` the events of talks that were
    cancelled or fell out of the mirrored window."""

    create: list[TalkView]
    edit: list[TalkView]
    delete: list[TalkView]

    def __bool__(self) -> bool:
        return bool(self.create or self.edit or self.delete)
