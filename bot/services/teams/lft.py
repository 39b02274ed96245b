"""Looking-for-team profiles: post, forum post reference, removal, and matching entry points."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotFound
from bot.models.teams import LftProfile
from bot.services import audit
from bot.services.teams import limits
from bot.services.teams.lifecycle import clean_tags
from bot.services.teams.matching import Match, TeamMatch, match_for_member, match_for_team
from bot.services.teams.queries import team_row_of
from bot.text import clean

NOTE_MAX_LENGTH = 300
POSTED = "lft.posted"
TITLE_MAX_LENGTH = 80
MIN_OFFSET_MINUTES = -12 * 60
MAX_OFFSET_MINUTES = 14 * 60


# What a forum post title must not carry: mention, channel, emoji and timestamp syntax, links,
# and markdown (titles show in the channel list and wherever the post is linked).
_TITLE_SYNTAX = re.compile(r"<[^>]*>|https?://\S*|discord(?:app)?\.(?:gg|com)/\S*", re.I)
_TITLE_MARKS = re.compile(r"[@#*_~`|>\\<\[\]()]+")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w")


def post_title(display_name: str, fallback: str) -> str:
    """The title of a looking-for-team post: the member's display name as plain words (no
    mention, link or formatting survives), or ``fallback`` when nothing is left of it."""
    text = _TITLE_SYNTAX.sub(" ", clean(display_name))
    text = _TITLE_MARKS.sub(" ", text)
    text = _SPACES.sub(" ", text).strip(" -")[:TITLE_MAX_LENGTH].strip()
    return text if _WORD.search(text.replace("_", "")) else fallback


@dataclass(frozen=True)
class LftView:
    """A looking-for-team profile as stored."""

    user_id: int
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    note: str | None
    utc_offset_minutes: int | None
    looking: bool
    post_id: int | None
    created_at: datetime


def view_of_profile(profile: LftProfile) -> LftView:
    """The view of a loaded profile row."""
    return LftView(
        user_id=profile.user_id,
        skills=tuple(profile.skills or ()),
        languages=tuple(profile.languages or ()),
        note=profile.note,
        utc_offset_minutes=profile.utc_offset_minutes,
        looking=profile.looking,
        post_id=profile.post_id,
        created_at=profile.created_at,
    )


async def post_profile(
    session: AsyncSession,
    *,
    user_id: int,
    skills: Sequence[str],
    languages: Sequence[str],
    note: str | None,
    utc_offset_minutes: int | None,
    now: datetime,
    cooldown: timedelta = timedelta(0),
) -> LftView:
    """Create or replace the profile of a member without team (the forum post id is kept, so
    the cog edits the existing post). Refuses: ``lft_in_team``, ``skills_required``,
    ``skills_too_many`` / ``skills_too_long`` / ``skills_mention``, the same for languages,
    ``note_too_long``, ``bad_offset``, and the limit ``lft_post_cooldown``: a new forum post
    (no profile shown yet: first post, or after a removal) at most once per ``cooldown``;
    editing the shown profile is free. Each new post is on the audit log as ``lft.posted``."""
    team = await team_row_of(session, user_id)
    if team is not None:
        raise Conflict("teams.errors.lft_in_team", team=team.name)
    clean_skills = clean_tags(skills, error_prefix="teams.errors.skills")
    if not clean_skills:
        raise InvalidInput("teams.errors.skills_required")
    clean_languages = [
        language.lower()
        for language in clean_tags(languages, error_prefix="teams.errors.languages")
    ]
    clean_note = clean(note, multiline=True) if note else None
    if clean_note and len(clean_note) > NOTE_MAX_LENGTH:
        raise InvalidInput("teams.errors.note_too_long", count=NOTE_MAX_LENGTH)
    if utc_offset_minutes is not None and not (
        MIN_OFFSET_MINUTES <= utc_offset_minutes <= MAX_OFFSET_MINUTES
    ):
        raise InvalidInput("teams.errors.bad_offset")
    profile = await session.get(LftProfile, user_id, populate_existing=True)
    new_post = profile is None or not profile.looking or profile.post_id is None
    if new_post:
        await limits.ensure_cooled_down(
            session,
            actor_id=user_id,
            action=POSTED,
            limit="lft_post_cooldown",
            key="teams.errors.lft_post_cooldown",
            cooldown=cooldown,
            now=now,
        )
    if profile is None:
        profile = LftProfile(user_id=user_id, created_at=now)
        session.add(profile)
    elif not profile.looking:
        profile.created_at = now  # a new search starts now (matters for tie-breaking)
    profile.skills = clean_skills
    profile.languages = list(dict.fromkeys(clean_languages))
    profile.note = clean_note or None
    profile.utc_offset_minutes = utc_offset_minutes
    profile.looking = True
    profile.updated_at = now
    await session.flush()
    if new_post:
        await audit.record(session, actor_id=user_id, action=POSTED, subject=None, now=now)
    return view_of_profile(profile)


async def set_profile_post(session: AsyncSession, user_id: int, post_id: int) -> None:
    """Remember the forum post that shows the profile."""
    profile = await session.get(LftProfile, user_id, populate_existing=True)
    if profile is None:
        raise NotFound("teams.errors.lft_not_found")
    profile.post_id = post_id
    await session.flush()


async def get_profile(session: AsyncSession, user_id: int) -> LftView | None:
    """The member's profile, looking or not."""
    profile = await session.get(LftProfile, user_id, populate_existing=True)
    return None if profile is None else view_of_profile(profile)


async def remove_profile(session: AsyncSession, user_id: int) -> LftView | None:
    """Delete the member's profile; the returned view carries the post id to delete."""
    profile = await session.get(LftProfile, user_id, populate_existing=True)
    if profile is None:
        return None
    view = view_of_profile(profile)
    await session.delete(profile)
    await session.flush()
    return view


__all__ = [
    "LftView",
    "Match",
    "TeamMatch",
    "get_profile",
    "match_for_member",
    "match_for_team",
    "post_profile",
    "post_title",
    "remove_profile",
    "set_profile_post",
]
