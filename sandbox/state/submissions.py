"""The submissions section of the rehearsal's state line: each team's current deliverables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.submissions import store

if TYPE_CHECKING:
    from sandbox.harness import Sandbox

SECTIONS = ("submissions",)


async def sections(session: AsyncSession, sandbox: Sandbox) -> dict[str, Any]:
    return {
        "submissions": [
            {
                "team": row.team,
                "kind": row.submission.kind,
                "repo": row.submission.repo_id,
                "sha": row.submission.sha,
                "status": row.submission.status,
                "failed_checks": row.submission.failed_checks,
            }
            for row in await store.export_rows(session)
        ]
    }


def readable(state: dict[str, Any]) -> list[str]:
    lines = []
    for item in state.get("submissions", []):
        failed = f" (failed: {', '.join(item['failed_checks'])})" if item["failed_checks"] else ""
        sha = (item["sha"] or "-")[:12]
        lines.append(
            f"submission {item['team']} {item['kind']} {item['repo']} @ {sha}: "
            f"{item['status']}{failed}"
        )
    return lines
