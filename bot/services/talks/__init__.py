"""Talks: the calendar programme mirrored in the database, its reminders and subscribers.

The rules only: what a calendar change does to a talk and its reminders (``programme``), which
reminders are due and which go out late (``reminders``), who subscribed (``subscriptions``),
what the sync last did (``sync_state``). Callers own the transaction; nothing here talks to
Discord or the Calendar.
"""

from bot.services.talks.programme import (
    TalkChange,
    apply_changes,
    discord_plan,
    discord_window_change,
    link_discord_event,
    mark_discord_current,
    next_talk,
    reminder_kind,
    upcoming,
)
from bot.services.talks.reminders import (
    Delivery,
    claim_due,
    next_reminder_due,
    pending_count,
    record_progress,
)
from bot.services.talks.subscriptions import (
    dm_channels,
    set_dm_channel,
    subscribe,
    subscribers,
    unsubscribe,
)
from bot.services.talks.sync_state import (
    SyncState,
    read_sync_state,
    record_failure,
    record_success,
)
from bot.services.talks.views import DiscordWork, TalkView

__all__ = [
    "Delivery",
    "DiscordWork",
    "SyncState",
    "TalkChange",
    "TalkView",
    "apply_changes",
    "claim_due",
    "discord_plan",
    "discord_window_change",
    "dm_channels",
    "link_discord_event",
    "mark_discord_current",
    "next_reminder_due",
    "next_talk",
    "pending_count",
    "read_sync_state",
    "record_failure",
    "record_progress",
    "record_success",
    "reminder_kind",
    "set_dm_channel",
    "subscribe",
    "subscribers",
    "unsubscribe",
    "upcoming",
]
