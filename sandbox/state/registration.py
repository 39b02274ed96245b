"""The registrations section of the rehearsal's state line: how many sign-ups were imported and
who verified (by handle)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.registration import Registration

if TYPE_CHECKING:
    from sandbox.harness import Sandbox

SECTIONS = ("registrations",)


async def sections(session: AsyncSession, sandbox: Sandbox) -> dict[str, Any]:
    registered = await session.scalar(select(func.count(Registration.id)))
    linked = await session.scalars(
        select(Registration.user_id).where(Registration.user_id.is_not(None))
    )
    verified = sorted(str(sandbox.handle_of(user_id)) for user_id in linked)
    return {"registrations": {"registered": int(registered or 0), "verified": verified}}


def readable(state: dict[str, Any]) -> list[str]:
    found = state.get("registrations")
    if not found:
        return []
    verified = ", ".join(found["verified"]) or "nobody"
    return [f"registrations: {found['registered']} registered, verified: {verified}"]
