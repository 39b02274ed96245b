"""The Discord side of mentoring: the queue post in the mentors channel, the private thread of
a claimed request, and telling the other side of a booking or a cancellation.

The database is the truth: Discord follows what was committed, and a Discord failure is
logged, never half-undoes a committed change.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.discord.mentions import mention
from bot.discord.notifier import DiscordNotifier
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.services.mentors import BookingView, CancelResult, QueueInfo, RequestView
from bot.text import Safe
from cogs.mentors.options import PING_MAX

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[1440] = 1440


class MentorDiscord:
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        self.notifier = DiscordNotifier(bot)

    def public(self, key: str, **params: Any) -> str:
        return self.bot.catalogs.t(self.bot.settings.config.event.default_locale, key, **params)

    async def guard(self, coro: Any, what: str) -> Any:
        try:
            return await coro
        except discord.HTTPException as exc:
            log.warning("discord refused %s: %s %s", what, exc.status, exc.code)
            return None

    # -- the queue --------------------------------------------------------------------------
    def queue_text(self, info: QueueInfo) -> tuple[str, list[int]]:
        request = info.request
        if request.preferred_mentor_id is not None:
            pings = [request.preferred_mentor_id]
            text = self.public(
                "mentors.request.post_preferred",
                team=request.team_name,
                topic=request.topic,
                mentor=mention(request.preferred_mentor_id),
                details=request.details,
            )
            return text, pings
        pings = list(info.ping_ids[:PING_MAX])
        shown = (
            " ".join(mention(p) for p in pings)
            if pings
            else self.public("mentors.request.no_mentors")
        )
        text = self.public(
            "mentors.request.post",
            team=request.team_name,
            topic=request.topic,
            details=request.details,
            pings=Safe(shown),
        )
        return text, pings

    async def post_request(self, info: QueueInfo) -> discord.Message | None:
        from cogs.mentors.views import claim_view

        channel = self.bot.channel("mentors")
        if not isinstance(channel, discord.TextChannel):
            log.warning("the mentors channel is missing; request %s not posted", info.request.id)
            return None
        text, pings = self.queue_text(info)
        sent: discord.Message | None = await self.guard(
            channel.send(
                text,
                view=claim_view(info.request.id, self.bot),
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(p) for p in pings]),
            ),
            "queue post",
        )
        return sent

    async def requeue(self, info: QueueInfo) -> None:
        """A released request: its queue post shows the Take button again."""
        from cogs.mentors.views import claim_view

        request = info.request
        if request.channel_id is None or request.message_id is None:
            await self.post_request(info)
            return
        text, _ = self.queue_text(info)
        target = self.bot.get_partial_messageable(request.channel_id).get_partial_message(
            request.message_id
        )
        await self.guard(
            target.edit(content=text, view=claim_view(request.id, self.bot)), "queue edit"
        )

    async def close_post(self, request: RequestView, key: str) -> None:
        if request.channel_id is None or request.message_id is None or request.mentor_id is None:
            return
        await self.notifier.edit(
            request.channel_id,
            request.message_id,
            Message(
                key, team=request.team_name, topic=request.topic, mentor=mention(request.mentor_id)
            ),
        )

    # -- the private thread of a claimed request ---------------------------------------------
    async def open_thread(self, request: RequestView) -> Any:
        """The request's private thread (reused after a release), with the mentor and the
        team in it."""
        from cogs.mentors.views import session_view

        assert request.mentor_id is not None
        thread = await self.notifier.channel_by_id(request.thread_id)
        if not isinstance(thread, discord.Thread):
            channel = self.bot.channel("mentors")
            if not isinstance(channel, discord.TextChannel):
                return None
            # A thread name is not markdown: team names and tags were checked when made.
            name = self.public(
                "mentors.claim.thread_name",
                team=Safe(request.team_name),
                topic=Safe(request.topic),
            )
            thread = await self.guard(
                channel.create_thread(
                    name=name[:100],
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                ),
                "private thread",
            )
            if thread is None:
                return None
        elif thread.archived:
            await self.guard(thread.edit(archived=False), "unarchive")
        for user_id in (request.mentor_id, *request.member_ids):
            await self.guard(thread.add_user(discord.Object(user_id)), "thread member")
        await self.guard(
            thread.send(
                self.public(
                    "mentors.claim.welcome",
                    mentor=mention(request.mentor_id),
                    team=request.team_name,
                    topic=request.topic,
                    details=request.details,
                ),
                view=session_view(request.id, self.bot),
                allowed_mentions=discord.AllowedMentions.none(),
            ),
            "thread welcome",
        )
        return thread

    async def thread_say(self, request: RequestView, key: str, **params: Any) -> None:
        if request.thread_id is not None:
            await self.notifier.to_thread(request.thread_id, Message(key, **params))

    # -- bookings ------------------------------------------------------------------------------
    async def booked(self, booking: BookingView) -> None:
        when = {
            "start": discord_ts(booking.starts_at, "F"),
            "when": discord_ts(booking.starts_at, "R"),
        }
        if booking.team_thread_id is not None:
            await self.notifier.to_thread(
                booking.team_thread_id,
                Message(
                    "mentors.book.thread",
                    member=mention(booking.booked_by),
                    mentor=mention(booking.mentor_id),
                    **when,
                ),
            )
        await self.notifier.dm(
            booking.mentor_id,
            Message(
                "mentors.book.mentor_dm",
                team=booking.team_name,
                topic=booking.topic or Message("mentors.book.no_topic"),
                **when,
            ),
        )

    async def cancelled(self, result: CancelResult) -> None:
        booking = result.booking
        start = discord_ts(booking.starts_at, "F")
        if result.by_mentor:
            if booking.team_thread_id is not None:
                await self.notifier.to_thread(
                    booking.team_thread_id,
                    Message(
                        "mentors.cancel.thread", mentor=mention(booking.mentor_id), start=start
                    ),
                )
            return
        if booking.team_thread_id is not None:
            await self.notifier.to_thread(
                booking.team_thread_id,
                Message(
                    "mentors.cancel.thread_team",
                    member=mention(result.actor_id),
                    mentor=mention(booking.mentor_id),
                    start=start,
                ),
            )
        await self.notifier.dm(
            booking.mentor_id,
            Message("mentors.cancel.mentor_dm", team=booking.team_name, start=start),
        )
