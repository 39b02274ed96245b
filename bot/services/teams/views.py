"""The rules a team lives by, and the plain values services hand back to their callers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from bot.i18n import Message
from bot.settings import Config

ItemKind = Literal["invitation", "request"]
# Writes a member's mention: the Discord side passes ``bot.discord.mentions.mention``.
Mentioner = Callable[[int], str]


@dataclass(frozen=True)
class TeamRules:
    """Team settings plus the event's team deadline (team changes lock at that moment)."""

    min_size: int
    max_size: int
    name_min_length: int
    name_max_length: int
    invitation_ttl: timedelta
    team_deadline: datetime
    # Limits per member (a zero cooldown is off); see bot.services.teams.limits.
    invitation_overbooking: int = 0
    reinvite_cooldown: timedelta = timedelta(0)
    join_request_cooldown: timedelta = timedelta(0)
    create_cooldown: timedelta = timedelta(0)
    lft_post_cooldown: timedelta = timedelta(0)

    @classmethod
    def from_settings(cls, config: Config) -> TeamRules:
        """The rules configured in ``[teams]`` and ``[event]``."""
        teams = config.teams
        return cls(
            min_size=teams.min_size,
            max_size=teams.max_size,
            name_min_length=teams.name_min_length,
            name_max_length=teams.name_max_length,
            invitation_ttl=teams.invitation_ttl,
            team_deadline=config.event.team_deadline,
            invitation_overbooking=teams.invitation_overbooking,
            reinvite_cooldown=teams.reinvite_cooldown,
            join_request_cooldown=teams.join_request_cooldown,
            create_cooldown=teams.create_cooldown,
            lft_post_cooldown=teams.lft_post_cooldown,
        )


@dataclass(frozen=True)
class TeamView:
    """A team as callers see it. ``locked``: the global lock, the deadline or a team lock."""

    id: int
    name: str
    description: str | None
    captain_id: int
    open: bool
    locked: bool
    member_ids: tuple[int, ...]
    size: int
    max_size: int
    min_size: int
    free_places: int
    thread_id: int | None
    forum_post_id: int | None
    created_at: datetime
    languages: tuple[str, ...] = ()
    looking_for: tuple[str, ...] = ()

    @property
    def full(self) -> bool:
        """No free place left (the forum post shows the "full" tag)."""
        return self.free_places <= 0

    @property
    def meets_minimum(self) -> bool:
        """The team has at least ``min_size`` members."""
        return self.size >= self.min_size


# Why an invitation or a join request closed: ``answered`` (its buttons, or the invitee joining
# by command), ``joined`` (its member joined its team another way: the captain accepted their
# request, an organizer moved them in), ``full`` (the team filled up), ``disbanded``,
# ``joined_elsewhere`` (its member joined or created another team), ``left_server``, ``expired``.
Cause = Literal[
    "answered", "joined", "full", "disbanded", "joined_elsewhere", "left_server", "expired"
]


@dataclass(frozen=True)
class ClosedItem:
    """An invitation or join request that closed; its message needs an edit, and whoever waits
    on it hears how it ended (:meth:`follow_up`).

    ``user_id`` is the invitee or the member who asked; ``inviter_id`` who invited;
    ``captain_id`` the team's captain when it closed, who reads a request's message (in the
    team's thread, or their DMs when the thread was gone; written in the captain's language) as
    the invitee reads an invitation's.
    """

    kind: ItemKind
    id: int
    team_id: int
    user_id: int
    channel_id: int | None
    message_id: int | None
    status: str
    team_name: str = ""
    inviter_id: int | None = None
    captain_id: int | None = None
    cause: Cause = "answered"

    @property
    def reader_id(self) -> int | None:
        """Whose language the message is in: the invitee's (a DM) or the captain's (the team's
        thread, or a DM when the thread was gone)."""
        return self.user_id if self.kind == "invitation" else self.captain_id

    def notice(self, mention: Mentioner) -> Message:
        """What its message says once closed (``mention`` writes a member's mention)."""
        if self.cause == "joined":
            if self.kind == "invitation":
                return Message("teams.closed.invitation_joined", team=self.team_name)
            return Message("teams.closed.request_joined", member=mention(self.user_id))
        status = Message(f"teams.status.{self.status}")
        if self.kind == "invitation":
            return Message("teams.closed.invitation", team=self.team_name, status=status)
        return Message("teams.closed.request", member=mention(self.user_id), status=status)

    def follow_up(self, mention: Mentioner) -> tuple[int, Message] | None:
        """Who waits on this item and what to tell them (a DM), or None when nobody waits or
        they already know (they did it, or saw it happen in the team's thread).

        A join request's member was promised an answer: they hear it was accepted, declined,
        expired, beaten by a full team or cancelled by a disband. An inviter hears that their
        invitation was declined, expired, or can no longer be accepted (the invitee joined
        another team or left the server)."""
        team = self.team_name
        if self.kind == "request":
            if self.cause == "answered":
                key = _REQUEST_ANSWERS.get(self.status)
            else:
                key = _REQUEST_ENDINGS.get(self.cause)
            if key is None:
                return None
            return self.user_id, Message(f"teams.outcome.{key}", team=team)
        if self.inviter_id is None or self.inviter_id == self.user_id:
            return None
        if self.cause == "answered":
            key = "invitation_declined" if self.status == "declined" else None
        else:
            key = _INVITATION_ENDINGS.get(self.cause)
        if key is None:
            return None
        return self.inviter_id, Message(
            f"teams.outcome.{key}", member=mention(self.user_id), team=team
        )


# What whoever waits hears (``teams.outcome.*``), by how the item ended; an ending missing here
# is one they already know of (their own doing, or shown in their team's thread).
_REQUEST_ANSWERS = {"accepted": "request_accepted", "declined": "request_declined"}
_REQUEST_ENDINGS = {
    "expired": "request_expired",
    "full": "request_full",
    "disbanded": "request_disbanded",
}
_INVITATION_ENDINGS = {
    "expired": "invitation_expired",
    "joined_elsewhere": "invitation_joined_elsewhere",
    "left_server": "invitation_left_server",
}


@dataclass(frozen=True)
class RequestInDms:
    """A pending join request whose buttons are in a captain's DMs (the team's thread was gone
    or refused the post when it was asked): ``channel_id``/``message_id`` locate that message."""

    id: int
    user_id: int
    channel_id: int
    message_id: int


@dataclass(frozen=True)
class InvitationView:
    """A pending invitation."""

    id: int
    team: TeamView
    inviter_id: int
    invitee_id: int
    expires_at: datetime


@dataclass(frozen=True)
class MembershipChange:
    """What a membership change did. ``team`` is the team after it (empty when disbanded).

    ``became_full``: the last free place was taken (swap the forum tag to "full"); ``closed``
    then lists the team's invitations and requests answered "full". ``became_open``: the team
    was full and has a free place again. ``closed`` also lists the added member's other
    invitations and requests, answered "cancelled". ``moved_from`` is the change on the
    previous team of a member moved by an organizer.
    """

    team: TeamView
    added: int | None = None
    removed: int | None = None
    new_captain: int | None = None
    disbanded: bool = False
    became_full: bool = False
    became_open: bool = False
    closed: tuple[ClosedItem, ...] = ()
    lft_post_removed: int | None = None
    moved_from: MembershipChange | None = None


@dataclass(frozen=True)
class JoinResult:
    """``kind == "joined"``: ``change`` is set; ``"requested"``: ``request_id`` is set."""

    kind: Literal["joined", "requested"]
    team: TeamView
    request_id: int | None = None
    change: MembershipChange | None = None


@dataclass(frozen=True)
class RenameResult:
    """The renamed team and the name it had."""

    team: TeamView
    old_name: str


@dataclass(frozen=True)
class DisbandResult:
    """The team as it was, its former members and the invitations/requests closed."""

    team: TeamView
    member_ids: tuple[int, ...]
    closed: tuple[ClosedItem, ...]
    by_organizer: bool


@dataclass(frozen=True)
class DepartureResult:
    """A member left the server: the team change (if any), closed items, LFT post to delete."""

    change: MembershipChange | None
    closed: tuple[ClosedItem, ...] = ()
    lft_post_removed: int | None = None


@dataclass(frozen=True)
class TeamPage:
    """One page of ``list_teams`` (``page`` is 1-based)."""

    items: tuple[TeamView, ...]
    page: int
    pages: int
    total: int


# An invitation or request that expired: closed with the cause ``expired``.
ExpiredItem = ClosedItem


@dataclass(frozen=True)
class LockState:
    """The global lock as organizers see it."""

    locked: bool
    by_deadline: bool
    changed_by: int | None = None
    changed_at: datetime | None = field(default=None)
