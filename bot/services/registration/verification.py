"""Verifying: a member proves they signed up by the address they used, and gets its roles.

One member per registration and one registration per member: ``Registration.user_id`` is
unique and is set by a conditional update (``WHERE user_id IS NULL``), so two members racing for
one address cannot both win. Failed attempts are counted per member in the database
(:class:`VerifyAttempts`) and refused past ``max_attempts`` per window, whatever restarts
happen in between. A failure never says whether an address exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import Conflict, InvalidInput, NotFound
from bot.models.registration import MemberProfile, Registration, VerifyAttempts
from bot.services import audit
from bot.services.limits import LimitReached
from bot.services.registration.addresses import RegistrationKey, email_hash
from bot.settings.registration import RegistrationSettings

Outcome = Literal["verified", "already", "no_match", "taken"]


@dataclass(frozen=True)
class VerifyRules:
    max_attempts: int
    window: timedelta

    @classmethod
    def from_settings(cls, settings: RegistrationSettings) -> VerifyRules:
        return cls(max_attempts=settings.max_attempts, window=settings.attempts_window)


@dataclass(frozen=True)
class Linked:
    """A member's registration: the roles it gives (``participant``, ``mentor``)."""

    registration_id: int
    user_id: int
    roles: tuple[str, ...]


@dataclass(frozen=True)
class VerifyResult:
    outcome: Outcome
    linked: Linked | None = None
    attempts_left: int = 0


def roles_of(registration: Registration) -> tuple[str, ...]:
    return tuple(role for role in ("participant", "mentor") if getattr(registration, role))


def _linked(registration: Registration) -> Linked:
    assert registration.user_id is not None
    return Linked(registration.id, registration.user_id, roles_of(registration))


async def registration_of(session: AsyncSession, user_id: int) -> Registration | None:
    return await session.scalar(select(Registration).where(Registration.user_id == user_id))


async def check_attempts(
    session: AsyncSession, rules: VerifyRules, user_id: int, now: datetime
) -> int:
    """Failed attempts left to ``user_id`` in the current window; :class:`LimitReached` when
    none is left (it says when the member may try again)."""
    row = await session.get(VerifyAttempts, user_id)
    if row is None or now - row.window_start >= rules.window:
        return rules.max_attempts
    if row.failures >= rules.max_attempts:
        raise LimitReached(
            "verify_attempts",
            "registration.errors.too_many_attempts",
            when=row.window_start + rules.window,
        )
    return rules.max_attempts - row.failures


async def _fail(session: AsyncSession, rules: VerifyRules, user_id: int, now: datetime) -> int:
    """Count a failed attempt; the attempts left after it."""
    row = await session.get(VerifyAttempts, user_id)
    if row is None:
        row = VerifyAttempts(user_id=user_id, window_start=now, failures=0)
        session.add(row)
    elif now - row.window_start >= rules.window:
        row.window_start, row.failures = now, 0
    row.failures += 1
    await session.flush()
    return max(0, rules.max_attempts - row.failures)


async def fill_profile(session: AsyncSession, registration: Registration, now: datetime) -> None:
    """Copy the sign-up's country and Hub user into the member's profile, keeping what the
    member already set themselves."""
    assert registration.user_id is not None
    profile = await session.get(MemberProfile, registration.user_id)
    if profile is None:
        profile = MemberProfile(user_id=registration.user_id, updated_at=now)
        session.add(profile)
    changed = False
    if profile.country is None and registration.country is not None:
        profile.country, changed = registration.country, True
    if profile.hub_user is None and registration.hub_user is not None:
        profile.hub_user, changed = registration.hub_user, True
    if changed:
        profile.updated_at = now


async def _link(
    session: AsyncSession,
    registration: Registration,
    user_id: int,
    now: datetime,
    actor_id: int | None = None,
) -> bool:
    """Link ``user_id`` to ``registration`` unless someone holds it already (conditional
    update: concurrent verifications of one address have one winner)."""
    result = await session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.user_id.is_(None))
        .values(user_id=user_id, verified_at=now, verified_by=actor_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    await session.refresh(registration)
    await fill_profile(session, registration, now)
    return True


async def verify(
    session: AsyncSession,
    key: RegistrationKey,
    rules: VerifyRules,
    *,
    user_id: int,
    email: str,
    now: datetime,
) -> VerifyResult:
    """Verify ``user_id`` by the address they typed. A failure is counted, not raised, so that
    it is written with the transaction; only the rate limit raises."""
    own = await registration_of(session, user_id)
    if own is not None:
        await fill_profile(session, own, now)
        return VerifyResult("already", _linked(own))
    await check_attempts(session, rules, user_id, now)
    hashed = email_hash(key, email)
    registration = (
        None
        if hashed is None
        else await session.scalar(select(Registration).where(Registration.email_hash == hashed))
    )
    if registration is None:
        return VerifyResult("no_match", attempts_left=await _fail(session, rules, user_id, now))
    if registration.user_id is not None or not await _link(session, registration, user_id, now):
        return VerifyResult("taken", attempts_left=await _fail(session, rules, user_id, now))
    await audit.record(
        session,
        actor_id=user_id,
        action="registration.verified",
        subject=None,
        now=now,
        member_id=user_id,
    )
    return VerifyResult("verified", _linked(registration))


async def find_registration(
    session: AsyncSession, key: RegistrationKey | None, reference: str
) -> Registration:
    """The registration an organizer names: an email address, or its number (``#12``)."""
    text = reference.strip()
    number = text.lstrip("#")
    # ASCII digits only: "²" or "١٢" pass str.isdigit() but not int().
    if number.isascii() and number.isdigit() and len(number) <= 12:
        found = await session.get(Registration, int(number))
    elif key is not None and "@" in text:
        hashed = email_hash(key, text)
        if hashed is None:
            raise InvalidInput("registration.errors.bad_reference")
        found = await session.scalar(select(Registration).where(Registration.email_hash == hashed))
    else:
        raise InvalidInput("registration.errors.bad_reference")
    if found is None:
        raise NotFound("registration.errors.no_registration")
    return found


async def link_by_organizer(
    session: AsyncSession,
    key: RegistrationKey | None,
    *,
    actor_id: int,
    user_id: int,
    reference: str,
    now: datetime,
) -> Linked:
    """`/admin verify`: link ``user_id`` to the registration ``reference`` names."""
    registration = await find_registration(session, key, reference)
    own = await registration_of(session, user_id)
    if own is not None and own.id != registration.id:
        raise Conflict("registration.errors.member_has_other", number=own.id)
    if registration.user_id == user_id:
        return _linked(registration)
    if registration.user_id is not None or not await _link(
        session, registration, user_id, now, actor_id=actor_id
    ):
        raise Conflict("registration.errors.linked_to_other", number=registration.id)
    await audit.record(
        session,
        actor_id=actor_id,
        action="registration.linked",
        subject=None,
        now=now,
        member_id=user_id,
        registration=registration.id,
    )
    return _linked(registration)


async def unlink(session: AsyncSession, *, actor_id: int, user_id: int, now: datetime) -> Linked:
    """`/admin unverify`: the member's registration is free again (its roles are returned, for
    Discord to take back)."""
    registration = await registration_of(session, user_id)
    if registration is None:
        raise NotFound("registration.errors.not_verified")
    linked = _linked(registration)
    registration.user_id = None
    registration.verified_at = None
    registration.verified_by = None
    registration.updated_at = now
    await audit.record(
        session,
        actor_id=actor_id,
        action="registration.unlinked",
        subject=None,
        now=now,
        member_id=user_id,
        registration=registration.id,
    )
    await session.flush()
    return linked
