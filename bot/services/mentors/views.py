"""The rules mentoring lives by, and the plain values its services hand back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.settings import Config


@dataclass(frozen=True)
class MentorRules:
    """``[mentors]`` plus the event's time zone (the default for a new profile)."""

    expertise: tuple[str, ...]
    default_timezone: str
    session_length: timedelta
    max_session_length: timedelta
    max_repeat_weeks: int
    bookings_per_team_per_day: int
    open_requests_per_team: int
    reping_after: timedelta
    reminders: tuple[timedelta, ...]
    reminder_takeover: timedelta = timedelta(minutes=2)

    @classmethod
    def from_settings(cls, config: Config) -> MentorRules:
        mentors = config.mentors
        return cls(
            expertise=tuple(mentors.expertise),
            default_timezone=config.event.timezone,
            session_length=mentors.session_length,
            max_session_length=mentors.max_session_length,
            max_repeat_weeks=mentors.max_repeat_weeks,
            bookings_per_team_per_day=mentors.bookings_per_team_per_day,
            open_requests_per_team=mentors.open_requests_per_team,
            reping_after=mentors.reping_after,
            reminders=tuple(mentors.reminders),
            reminder_takeover=mentors.reminder_takeover,
        )


@dataclass(frozen=True)
class ProfileView:
    user_id: int
    expertise: tuple[str, ...]
    languages: tuple[str, ...]
    timezone: str
    bio: str | None


@dataclass(frozen=True)
class SlotView:
    id: int
    mentor_id: int
    starts_at: datetime
    ends_at: datetime
    team_id: int | None
    team_name: str | None


@dataclass(frozen=True)
class BookingView:
    id: int
    slot_id: int
    team_id: int
    team_name: str
    team_thread_id: int | None
    mentor_id: int
    booked_by: int
    starts_at: datetime
    ends_at: datetime
    topic: str | None
    status: str


@dataclass(frozen=True)
class CancelResult:
    """A cancelled booking; ``by_mentor`` says which side cancelled (the other is told)."""

    booking: BookingView
    by_mentor: bool
    actor_id: int


@dataclass(frozen=True)
class RequestView:
    id: int
    team_id: int
    team_name: str
    team_thread_id: int | None
    requester_id: int
    topic: str
    details: str
    status: str
    mentor_id: int | None
    preferred_mentor_id: int | None
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    rating: int | None
    member_ids: tuple[int, ...]
    created_at: datetime


@dataclass(frozen=True)
class QueueInfo:
    """A request in the queue: its place (1 is next), the expected wait (None without
    history), and whom to ping (mentors with the topic, or the mentor asked for)."""

    request: RequestView
    position: int
    estimate: timedelta | None
    ping_ids: tuple[int, ...]


@dataclass(frozen=True)
class Reminder:
    booking: BookingView
    offset: timedelta
    # The row and claim it is delivered under, and the messages an earlier (dead) process
    # delivered: 1 the thread's, 2 the mentor's DM too (a reminder taken over).
    reminder_id: int = 0
    claim: str = ""
    step: int = 0


@dataclass(frozen=True)
class MentorStats:
    mentor_id: int
    sessions: int
    claims: int
    resolved: int
    ratings: int
    rating_avg: float | None


@dataclass(frozen=True)
class Stats:
    requests: int
    open: int
    claims: int
    resolved: int
    wait_p50: timedelta | None
    wait_p90: timedelta | None
    bookings: int
    cancelled_bookings: int
    mentors: tuple[MentorStats, ...]
