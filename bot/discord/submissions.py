"""Submission checklists as catalog messages, shared by `/submit`, `/submission status` and the
submission jobs (which post to team threads through the notifier): each check's line, with what
to fix in the reader's language when it did not pass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.models.submissions import CHECK_PASSED, PENDING
from bot.services.submissions.durations import late_message
from bot.services.submissions.flow import BatchResult, LateCommit
from bot.services.submissions.store import SubmissionView


def joined(messages: Sequence[Message]) -> Message:
    """Several messages as one, a line each (rendered in one language)."""
    if not messages:
        return Message("submissions.join.empty")
    if len(messages) == 1:
        return messages[0]
    return Message("submissions.join.lines", first=messages[0], rest=joined(messages[1:]))


def kind_word(kind: str) -> Message:
    return Message(f"submissions.kinds.{kind}")


def billions(parameters: int) -> str:
    return f"{parameters / 1e9:.2f}"


def hint(check: str, detail: dict[str, Any]) -> Message:
    """What to fix for a check that failed or warned."""
    key, params = check, dict(detail)
    if check == "exists":
        key = f"exists_{params.pop('cause', 'not_found')}"
    elif check == "deadline":
        key = "deadline_none_before" if params.pop("none_before", False) else "deadline"
        params = {"late": late_message(int(params.get("late_seconds", 0)))}
    elif check == "columns" and params.get("unknown"):
        key, params = "columns_unknown", {"columns": params.get("columns", "")}
    elif check == "weights" and params.get("old_format"):
        key, params = "weights_old", {}
    elif check == "size":
        limit = billions(int(params.get("limit", 0)))
        if params.get("unknown"):
            key = "size_unknown_adapter" if params.get("adapter") else "size_unknown"
            params = {"limit": limit}
        else:
            params = {"parameters": billions(int(params.get("parameters", 0))), "limit": limit}
    elif check == "links_dataset" and params.get("no_dataset"):
        key, params = "links_dataset_no_dataset", {}
    elif check == "running":
        stage = str(params.get("stage", "OTHER"))
        key, params = f"running_{stage.lower()}", {"stage": str(params.get("raw", ""))}
    elif check == "links_model" and params.get("nothing_submitted"):
        key, params = "links_model_nothing", {}
    return Message(f"submissions.hints.{key}", **params)


def check_line(check: str, outcome: str, detail: dict[str, Any] | None) -> Message:
    name = Message(f"submissions.checks.{check}")
    icon = Message(f"submissions.outcome.{outcome}")
    if outcome == CHECK_PASSED:
        return Message("submissions.checklist.line", icon=icon, name=name)
    return Message(
        "submissions.checklist.line_hint", icon=icon, name=name, hint=hint(check, detail or {})
    )


def header(view: SubmissionView) -> Message:
    return Message(
        "submissions.checklist.header",
        kind=kind_word(view.kind),
        repo=view.repo_id,
        status=Message(f"submissions.state.{view.status}"),
    )


def pinned(view: SubmissionView) -> Message:
    if view.status == PENDING or view.sha is None:
        return Message("submissions.checklist.pending")
    if view.committed_at is None:
        return Message("submissions.checklist.pinned_no_time", sha=view.sha)
    return Message(
        "submissions.checklist.pinned", sha=view.sha, when=discord_ts(view.committed_at, "f")
    )


def checklist_lines(view: SubmissionView, *, problems_only: bool = False) -> list[Message]:
    lines = []
    for check, outcome in view.checks.items():
        if problems_only and outcome == CHECK_PASSED:
            continue
        lines.append(check_line(check, outcome, view.details.get(check)))
    return lines


def checklist(view: SubmissionView, *, problems_only: bool = False) -> Message:
    """The repo's header, its pinned commit and its checks, a line each."""
    return joined([header(view), pinned(view), *checklist_lines(view, problems_only=problems_only)])


class Poster(Protocol):
    async def post(self, channel_key: str, message: Message, /) -> bool: ...

    async def to_thread(self, thread_id: int, message: Message, /) -> bool: ...


async def announce_batch(poster: Poster, batch: BatchResult) -> int:
    """Post what a retry or re-verification found: each changed result in its team's thread,
    each late commit and a rejected Hub token to organizers. Returns the posts made."""
    posts = 0
    for team, result in batch.done:
        if team is None or team.thread_id is None:
            continue
        message = Message("submissions.thread.result", checklist=checklist(result.view))
        posts += await poster.to_thread(team.thread_id, message)
    for late in batch.late:
        posts += await poster.post("organizers", late_commit(late))
    if batch.token_alert:
        posts += await poster.post("organizers", Message("submissions.admin.token_rejected"))
    return posts


def late_commit(late: LateCommit) -> Message:
    view = late.view
    return Message(
        "submissions.admin.late_commit",
        team=late.team,
        kind=kind_word(view.kind),
        repo=view.repo_id,
        late_sha=late.late_sha,
        when=discord_ts(late.late_at, "f") if late.late_at else Message("submissions.join.empty"),
        sha=view.sha or "-",
    )
