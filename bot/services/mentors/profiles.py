"""Mentor profiles: expertise from the configured tags, languages, time zone and bio."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotFound
from bot.models import MentorProfile
from bot.services.mentors.common import profile_row, profile_view
from bot.services.mentors.times import zone
from bot.services.mentors.views import MentorRules, ProfileView
from bot.text import clean, has_mention_or_link

BIO_MAX = 300
LANGUAGES_MAX = 6
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def split_list(text: str | None) -> list[str]:
    if not text:
        return []
    parts = (clean(part).casefold() for part in re.split(r"[,;]", text))
    return list(dict.fromkeys(part for part in parts if part))


def parse_expertise(text: str, rules: MentorRules) -> list[str]:
    tags = split_list(text)
    if not tags:
        raise InvalidInput("mentors.errors.expertise_required", tags=", ".join(rules.expertise))
    for tag in tags:
        if tag not in rules.expertise:
            raise InvalidInput(
                "mentors.errors.unknown_tag", tag=tag[:32], tags=", ".join(rules.expertise)
            )
    return tags


def check_topic(topic: str, rules: MentorRules) -> str:
    tag = clean(topic).casefold()
    if tag not in rules.expertise:
        raise InvalidInput(
            "mentors.errors.unknown_tag", tag=tag[:32], tags=", ".join(rules.expertise)
        )
    return tag


def parse_languages(text: str | None) -> list[str]:
    languages = split_list(text)
    if len(languages) > LANGUAGES_MAX:
        raise InvalidInput("mentors.errors.languages_too_many", count=LANGUAGES_MAX)
    for code in languages:
        if not _LANGUAGE.match(code):
            raise InvalidInput("mentors.errors.bad_language", code=code[:16])
    return languages


def parse_bio(text: str | None) -> str | None:
    if text is None:
        return None
    bio = clean(text, multiline=True)
    if has_mention_or_link(bio):
        raise InvalidInput("mentors.errors.bio_mention")
    if len(bio) > BIO_MAX:
        raise InvalidInput("mentors.errors.bio_too_long", count=BIO_MAX)
    return bio or None


async def set_profile(
    session: AsyncSession,
    rules: MentorRules,
    *,
    user_id: int,
    expertise: str,
    languages: str | None,
    timezone: str | None,
    bio: str | None,
    now: datetime,
) -> ProfileView:
    """Create or replace a mentor's profile. Options left out keep their value (the time zone
    of a new profile is the event's)."""
    tags = parse_expertise(expertise, rules)
    langs = parse_languages(languages) if languages is not None else None
    zone_name = str(zone(timezone).key) if timezone is not None else None
    text = parse_bio(bio)
    row = await profile_row(session, user_id)
    if row is None:
        row = MentorProfile(
            user_id=user_id,
            expertise=tags,
            languages=langs or [],
            timezone=zone_name or rules.default_timezone,
            bio=text,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    else:
        row.expertise = tags
        if langs is not None:
            row.languages = langs
        if zone_name is not None:
            row.timezone = zone_name
        if bio is not None:
            row.bio = text
        row.updated_at = now
    await session.flush()
    return profile_view(row)


async def get_profile(session: AsyncSession, user_id: int) -> ProfileView | None:
    row = await profile_row(session, user_id)
    return None if row is None else profile_view(row)


async def require_profile(session: AsyncSession, user_id: int) -> ProfileView:
    found = await get_profile(session, user_id)
    if found is None:
        raise NotFound("mentors.errors.no_profile")
    return found


async def mentors_for(session: AsyncSession, topic: str) -> list[int]:
    """Mentors whose expertise includes ``topic``."""
    rows = await session.scalars(select(MentorProfile).order_by(MentorProfile.user_id))
    return [row.user_id for row in rows if topic in row.expertise]
