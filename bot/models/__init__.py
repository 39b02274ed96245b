"""All tables. Importing this package registers every model on ``Base.metadata``."""

from bot.models.announcements import Announcement, AnnouncementDelivery
from bot.models.base import Base, Snowflake, UTCDateTime
from bot.models.leaderboard import LeaderboardPost
from bot.models.mentors import (
    MentorBooking,
    MentorProfile,
    MentorReminder,
    MentorRequest,
    MentorSlot,
)
from bot.models.ops import AuditEntry, JobRun, KeyValue, MemberLocale
from bot.models.registration import MemberProfile, Registration, VerifyAttempts
from bot.models.submissions import Submission, SubmissionNudge
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
    "Announcement",
    "AnnouncementDelivery",
    "AuditEntry",
    "Base",
    "Invitation",
    "JobRun",
    "JoinRequest",
    "KeyValue",
    "LeaderboardPost",
    "LftProfile",
    "MemberLocale",
    "MemberProfile",
    "MentorBooking",
    "MentorProfile",
    "MentorReminder",
    "MentorRequest",
    "MentorSlot",
    "Registration",
    "Snowflake",
    "Submission",
    "SubmissionNudge",
    "Talk",
    "TalkReminder",
    "TalkSubscriber",
    "Team",
    "TeamMember",
    "TeamsControl",
    "UTCDateTime",
    "VerifyAttempts",
]
