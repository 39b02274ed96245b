"""All tables. Importing this package registers every model on ``Base.metadata``."""

from bot.models.base import Base, Snowflake, UTCDateTime
from bot.models.ops import AuditEntry, JobRun, KeyValue, MemberLocale
from bot.models.registration import MemberProfile
from bot.models.submissions import Submission
from bot.models.talks import Talk, TalkReminder, TalkSubscriber
from bot.models.teams import (
    Invitation,
    JoinRequest,
    LftProfile,
    Team,
    TeamMember,
    TeamsControl,
)

__all__ = [
    "AuditEntry",
    "Base",
    "Invitation",
    "JobRun",
    "JoinRequest",
    "KeyValue",
    "LftProfile",
    "MemberLocale",
    "MemberProfile",
    "Snowflake",
    "Submission",
    "Talk",
    "TalkReminder",
    "TalkSubscriber",
    "Team",
    "TeamMember",
    "TeamsControl",
    "UTCDateTime",
]
