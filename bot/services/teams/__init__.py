"""Team formation: every rule about teams, members, invitations and join requests.

Functions take an ``AsyncSession`` whose transaction the caller owns (services flush, never
commit), ids as ints, plain values and an explicit ``now``. Every refusal is a
:class:`bot.errors.DomainError` carrying a ``teams.errors.*`` catalog key.
"""

from bot.services.teams.departures import kick, leave, member_left_server
from bot.services.teams.invitations import (
    answer_invitation,
    answer_join_request,
    count_pending,
    expire_due,
    invite,
    join,
    next_expiry,
    open_invitation,
    set_invitation_message,
    set_request_message,
)
from bot.services.teams.lifecycle import (
    check_can_create,
    create_team,
    disband,
    rename,
    set_discord_refs,
    transfer,
    update_team_profile,
)
from bot.services.teams.limits import LimitReached
from bot.services.teams.names import name_key, validate_team_name
from bot.services.teams.organizer import (
    get_lock_state,
    organizer_move,
    set_lock,
    set_team_lock,
)
from bot.services.teams.queries import (
    find_team,
    get_team,
    is_locked,
    item_team_name,
    known_member_ids,
    list_teams,
    search_team_names,
    state_snapshot,
    team_of,
)
from bot.services.teams.views import (
    ClosedItem,
    DepartureResult,
    DisbandResult,
    ExpiredItem,
    InvitationView,
    JoinResult,
    LockState,
    MembershipChange,
    RenameResult,
    TeamPage,
    TeamRules,
    TeamView,
)

__all__ = [
    "ClosedItem",
    "DepartureResult",
    "DisbandResult",
    "ExpiredItem",
    "InvitationView",
    "JoinResult",
    "LimitReached",
    "LockState",
    "MembershipChange",
    "RenameResult",
    "TeamPage",
    "TeamRules",
    "TeamView",
    "answer_invitation",
    "answer_join_request",
    "check_can_create",
    "count_pending",
    "create_team",
    "disband",
    "expire_due",
    "find_team",
    "get_lock_state",
    "get_team",
    "invite",
    "is_locked",
    "item_team_name",
    "join",
    "kick",
    "known_member_ids",
    "leave",
    "list_teams",
    "member_left_server",
    "name_key",
    "next_expiry",
    "open_invitation",
    "organizer_move",
    "rename",
    "search_team_names",
    "set_discord_refs",
    "set_invitation_message",
    "set_lock",
    "set_request_message",
    "set_team_lock",
    "state_snapshot",
    "team_of",
    "transfer",
    "update_team_profile",
    "validate_team_name",
]
