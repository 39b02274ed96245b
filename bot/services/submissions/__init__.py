"""Submissions: verify a team's dataset, model and demo Space on the Hub, and pin the commit the
jury judges.

- :mod:`refs` turns what a member typed into a repo reference, or refuses it;
- :mod:`facts` reads a repo on the Hub (the only module that asks the Hub);
- :mod:`checks` turns what was read into the checklist (stable check ids);
- :mod:`store` reads and writes the ``submissions`` table (flush, never commit);
- :mod:`flow` runs a verification end to end for the cog and the jobs;
- :mod:`nudges` decides the deadline reminders.
"""

from bot.services.submissions.checks import Checklist, Context, evaluate
from bot.services.submissions.facts import RepoFacts, gather
from bot.services.submissions.flow import (
    BatchResult,
    LateCommit,
    Result,
    SubmitResult,
    closed_error,
    retry_pending,
    reverify,
    submit,
)
from bot.services.submissions.refs import RepoRef, parse_ref
from bot.services.submissions.store import ExportRow, SubmissionView, TeamRef

__all__ = [
    "BatchResult",
    "Checklist",
    "Context",
    "ExportRow",
    "LateCommit",
    "RepoFacts",
    "RepoRef",
    "Result",
    "SubmissionView",
    "SubmitResult",
    "TeamRef",
    "closed_error",
    "evaluate",
    "gather",
    "parse_ref",
    "retry_pending",
    "reverify",
    "submit",
]
