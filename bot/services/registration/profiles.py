"""What a member says about themselves: country (ISO 3166-1 alpha-2) and Hub user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput
from bot.models.registration import MemberProfile
from bot.services.registration.countries import country_code, country_names
from bot.services.registration.imports import hub_username


@dataclass(frozen=True)
class ProfileView:
    user_id: int
    country: str | None
    hub_user: str | None


def _view(profile: MemberProfile | None, user_id: int) -> ProfileView:
    if profile is None:
        return ProfileView(user_id, None, None)
    return ProfileView(user_id, profile.country, profile.hub_user)


async def get_profile(session: AsyncSession, user_id: int) -> ProfileView:
    return _view(await session.get(MemberProfile, user_id), user_id)


async def hub_users(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, str]:
    """The Hub usernames members gave (`/profile hub_user:` or their sign-up row), by member;
    members who gave none are left out. One query, for team cards."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = await session.execute(_HUB_USERS, {"ids": ids})
    return {user_id: hub_user for user_id, hub_user in rows if hub_user}


# Built once (team cards read it on every `/team info`): building and keying cost more CPU
# than running it.
_HUB_USERS: Final = select(MemberProfile.user_id, MemberProfile.hub_user).where(
    MemberProfile.user_id.in_(bindparam("ids", expanding=True)),
    MemberProfile.hub_user.is_not(None),
)


def parse_country(text: str) -> str:
    """An ISO code from an autocomplete choice (``MX``) or a typed name (``México``)."""
    value = text.strip()
    if value.upper() in country_names("en"):
        return value.upper()
    code = country_code(value)
    if code is None:
        raise InvalidInput("registration.errors.bad_country")
    return code


async def update_profile(
    session: AsyncSession,
    *,
    user_id: int,
    country: str | None,
    hub_user: str | None,
    now: datetime,
) -> ProfileView:
    """Set the member's country and/or Hub user (what is None stays as it was)."""
    code = parse_country(country) if country is not None else None
    user = None
    if hub_user is not None:
        user = hub_username(hub_user)
        if user is None:
            raise InvalidInput("registration.errors.bad_hub_user")
    profile = await session.get(MemberProfile, user_id)
    if profile is None:
        profile = MemberProfile(user_id=user_id, updated_at=now)
        session.add(profile)
    if code is not None:
        profile.country = code
    if user is not None:
        profile.hub_user = user
    profile.updated_at = now
    await session.flush()
    return _view(profile, user_id)
