"""Mentoring: mentor profiles, slots teams book across time zones, and the help queue.

Functions take an ``AsyncSession`` whose transaction the caller owns (services flush, never
commit), ids, plain values and an explicit ``now``. Every refusal is a
:class:`bot.errors.DomainError` carrying a ``mentors.errors.*`` catalog key.
"""

from bot.services.mentors.common import team_of
from bot.services.mentors.profiles import get_profile, mentors_for, require_profile, set_profile
from bot.services.mentors.queue import (
    claim,
    count_open,
    create_request,
    due_repings,
    get_request,
    next_reping,
    rate,
    release,
    resolve,
    set_request_message,
    set_request_thread,
)
from bot.services.mentors.reminders import (
    STEPS,
    count_waiting,
    next_due,
    record_step,
    take_due,
)
from bot.services.mentors.slots import (
    add_slots,
    book,
    cancel_booking,
    free_slots,
    live_bookings_of,
    mentor_slots,
    remove_slot,
    slots_to_book,
    team_member_ids,
)
from bot.services.mentors.state import state_snapshot
from bot.services.mentors.stats import stats
from bot.services.mentors.times import zone_names
from bot.services.mentors.views import (
    BookingView,
    CancelResult,
    MentorRules,
    MentorStats,
    ProfileView,
    QueueInfo,
    Reminder,
    RequestView,
    SlotView,
    Stats,
)

__all__ = [
    "STEPS",
    "BookingView",
    "CancelResult",
    "MentorRules",
    "MentorStats",
    "ProfileView",
    "QueueInfo",
    "Reminder",
    "RequestView",
    "SlotView",
    "Stats",
    "add_slots",
    "book",
    "cancel_booking",
    "claim",
    "count_open",
    "count_waiting",
    "create_request",
    "due_repings",
    "free_slots",
    "get_profile",
    "get_request",
    "live_bookings_of",
    "mentor_slots",
    "mentors_for",
    "next_due",
    "next_reping",
    "rate",
    "record_step",
    "release",
    "remove_slot",
    "require_profile",
    "resolve",
    "set_profile",
    "set_request_message",
    "set_request_thread",
    "slots_to_book",
    "state_snapshot",
    "stats",
    "take_due",
    "team_member_ids",
    "team_of",
    "zone_names",
]
