"""Announcements: organizers broadcast to the right people, now or later.

Functions take an ``AsyncSession`` whose transaction the caller owns (they flush, never commit),
ids as ints, plain values and an explicit ``now``. Refusals are :class:`bot.errors.DomainError`
with an ``announcements.errors.*`` key. Who belongs to a role is Discord's to say: callers pass
those member ids in; who captains a team or misses a deliverable is read here.
"""

from bot.services.announcements.audiences import captains, missing_deliverable_members
from bot.services.announcements.delivery import (
    CLAIM_STALE,
    Report,
    Started,
    claim_batch,
    due_ids,
    finish,
    mark_interrupted,
    next_publish_at,
    record_outcomes,
    set_message,
    start,
)
from bot.services.announcements.drafts import (
    AnnouncementView,
    Draft,
    cancel,
    check_draft,
    confirm,
    create_draft,
    discard,
    get,
    listing,
    parse_when,
    render,
    state_snapshot,
)

__all__ = [
    "CLAIM_STALE",
    "AnnouncementView",
    "Draft",
    "Report",
    "Started",
    "cancel",
    "captains",
    "check_draft",
    "claim_batch",
    "confirm",
    "create_draft",
    "discard",
    "due_ids",
    "finish",
    "get",
    "listing",
    "mark_interrupted",
    "missing_deliverable_members",
    "next_publish_at",
    "parse_when",
    "record_outcomes",
    "render",
    "set_message",
    "start",
    "state_snapshot",
]
