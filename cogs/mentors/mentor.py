"""`/mentor`: mentor profiles, slots, bookings and the help queue. Parse, defer, call the
mentors service, make Discord follow."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from bot.discord.checks import require_role
from bot.discord.mentions import mention
from bot.discord.replies import defer, send, tr
from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.services import mentors
from bot.text import Safe
from cogs.mentors.effects import MentorDiscord
from cogs.mentors.options import (
    MEMBER_LOCK,
    expertise_choices,
    minutes,
    rules_of,
    topic_choices,
    zone_choices,
)
from cogs.mentors.views import DYNAMIC_ITEMS, book_view, mentor_name

# Slot and booking ids are 32-bit integer columns: on PostgreSQL a larger value fails the query
# itself (asyncpg refuses it), so Discord (and the bot, for a forged value) refuse it first.
ID_MAX = 2**31 - 1


class Mentors(
    commands.GroupCog,
    group_name="mentor",
    group_description="Mentoring: profile, slots, bookings and help",
):
    """Mentors offer slots and take requests (the mentor role); team members book and ask
    (the participant role); organizers read the figures. A member may hold both roles."""

    member_lock = MEMBER_LOCK

    slots = app_commands.Group(name="slots", description="Your mentoring slots")

    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        self.discord = MentorDiscord(bot)
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    # -- autocomplete (never deferred: served from settings and the database) ---------------
    async def topics(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return topic_choices(self.bot, current)

    async def expertise_tags(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return expertise_choices(self.bot, current)

    async def zones(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    async def own_slots(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        async with self.bot.db.read() as session:
            found = await mentors.mentor_slots(session, interaction.user.id, self.bot.clock.now())
        choices = []
        for slot in found[:25]:
            state = "mentors.slots.choice_booked" if slot.team_id else "mentors.slots.choice_free"
            name = tr(
                interaction,
                "mentors.slots.choice",
                start=slot.starts_at.strftime("%Y-%m-%d %H:%M"),
                state=Message(state),
            )
            choices.append(app_commands.Choice(name=name[:100], value=slot.id))
        return choices

    async def own_bookings(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        async with self.bot.db.read() as session:
            found = await mentors.live_bookings_of(
                session, interaction.user.id, self.bot.clock.now()
            )
        return [
            app_commands.Choice(
                name=tr(
                    interaction,
                    "mentors.cancel.choice",
                    start=b.starts_at.strftime("%Y-%m-%d %H:%M"),
                    team=Safe(b.team_name),
                    mentor=Safe(mentor_name(self.bot, b.mentor_id)),
                )[:100],
                value=b.id,
            )
            for b in found[:25]
        ]

    # -- profile ------------------------------------------------------------------------------
    @app_commands.command(name="profile", description="Create or change your mentor profile")
    @app_commands.describe(
        expertise="Topics you know well, separated by commas",
        languages="Languages you mentor in (es, en, ca...)",
        timezone="Your IANA time zone (default: the event's)",
        bio="A few lines about you",
    )
    @app_commands.autocomplete(expertise=expertise_tags, timezone=zones)
    @app_commands.guild_only()
    @require_role("mentor")
    async def profile(
        self,
        interaction: discord.Interaction[Any],
        expertise: app_commands.Range[str, 1, 300],
        languages: app_commands.Range[str, 1, 100] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        bio: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        saved = await self.bot.db.write(
            lambda session: mentors.set_profile(
                session,
                rules,
                user_id=interaction.user.id,
                expertise=expertise,
                languages=languages,
                timezone=timezone,
                bio=bio,
                now=now,
            )
        )
        langs: Any = ", ".join(saved.languages) or Message("mentors.profile.no_languages")
        await send(
            interaction,
            tr(
                interaction,
                "mentors.profile.saved",
                expertise=", ".join(saved.expertise),
                languages=langs,
                zone=saved.timezone,
            ),
        )

    # -- slots ----------------------------------------------------------------------------------
    @slots.command(name="add", description="Offer a slot, in your time zone")
    @app_commands.describe(
        start="Local date and time, such as 2024-03-12 18:00",
        duration="Length, such as 30m or 1h (default: the configured one)",
        repeat_weeks="Repeat the slot in the following weeks",
    )
    @app_commands.guild_only()
    @require_role("mentor")
    async def slots_add(
        self,
        interaction: discord.Interaction[Any],
        start: app_commands.Range[str, 1, 40],
        duration: app_commands.Range[str, 1, 20] | None = None,
        repeat_weeks: app_commands.Range[int, 0, 52] = 0,
    ) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        added = await self.bot.db.write(
            lambda session: mentors.add_slots(
                session,
                rules,
                mentor_id=interaction.user.id,
                start=start,
                duration=duration,
                repeat_weeks=repeat_weeks,
                now=now,
            )
        )
        lines = "\n".join(self._slot_line(interaction, slot) for slot in added)
        await send(
            interaction, tr(interaction, "mentors.slots.added", count=len(added), slots=Safe(lines))
        )

    def _slot_line(self, interaction: discord.Interaction[Any], slot: mentors.SlotView) -> str:
        length = minutes((slot.ends_at - slot.starts_at).total_seconds())
        start = discord_ts(slot.starts_at, "F")
        if slot.team_name is not None:
            return tr(
                interaction,
                "mentors.slots.line_booked",
                start=start,
                length=length,
                team=slot.team_name,
            )
        return tr(interaction, "mentors.slots.line", start=start, length=length)

    @slots.command(name="list", description="Your coming slots")
    @app_commands.guild_only()
    @require_role("mentor")
    async def slots_list(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        async with self.bot.db.read() as session:
            found = await mentors.mentor_slots(session, interaction.user.id, self.bot.clock.now())
        if not found:
            await send(interaction, tr(interaction, "mentors.slots.none"))
            return
        lines = "\n".join(self._slot_line(interaction, slot) for slot in found[:40])
        await send(interaction, tr(interaction, "mentors.slots.list", slots=Safe(lines)))

    @slots.command(name="remove", description="Remove one of your slots")
    @app_commands.describe(slot="The slot to remove")
    @app_commands.autocomplete(slot=own_slots)
    @app_commands.guild_only()
    @require_role("mentor")
    async def slots_remove(
        self, interaction: discord.Interaction[Any], slot: app_commands.Range[int, 1, ID_MAX]
    ) -> None:
        await defer(interaction)
        now = self.bot.clock.now()
        removed, cancelled = await self.bot.db.write(
            lambda session: mentors.remove_slot(
                session, mentor_id=interaction.user.id, slot_id=slot, now=now
            )
        )
        start = discord_ts(removed.starts_at, "F")
        if cancelled is not None:
            await self.discord.cancelled(cancelled)
            await send(
                interaction,
                tr(
                    interaction,
                    "mentors.slots.removed_booked",
                    start=start,
                    team=cancelled.booking.team_name,
                ),
            )
            return
        await send(interaction, tr(interaction, "mentors.slots.removed", start=start))

    # -- bookings --------------------------------------------------------------------------------
    @app_commands.command(name="book", description="Book a mentoring session for your team")
    @app_commands.describe(topic="Only mentors of this topic")
    @app_commands.autocomplete(topic=topics)
    @app_commands.guild_only()
    @require_role("participant")
    async def book(
        self,
        interaction: discord.Interaction[Any],
        topic: app_commands.Range[str, 1, 32] | None = None,
    ) -> None:
        await defer(interaction)
        bot, rules, now = self.bot, rules_of(self.bot), self.bot.clock.now()
        async with bot.db.read() as session:
            found = await mentors.slots_to_book(
                session,
                viewer_id=interaction.user.id,
                topic=topic,
                rules=rules,
                now=now,
                limit=bot.settings.config.mentors.book_page_size,
            )
        if found is None:
            await send(interaction, tr(interaction, "mentors.errors.no_team"))
            return
        tag = topic.strip().casefold() if topic else None
        if not found:
            key = "mentors.book.none_topic" if tag else "mentors.book.none"
            await send(interaction, tr(interaction, key, **({"topic": tag} if tag else {})))
            return
        lines = "\n".join(
            tr(
                interaction,
                "mentors.book.line",
                n=n,
                start=discord_ts(slot.starts_at, "F"),
                mentor=mention(slot.mentor_id),
                length=minutes((slot.ends_at - slot.starts_at).total_seconds()),
            )
            for n, slot in enumerate(found, 1)
        )
        key = "mentors.book.list_topic" if tag else "mentors.book.list"
        params: dict[str, Any] = {"slots": Safe(lines)}
        if tag:
            params["topic"] = tag
        await send(
            interaction,
            tr(interaction, key, **params),
            view=book_view(interaction, bot, found, tag),
        )

    @app_commands.command(name="cancel", description="Cancel a booked session")
    @app_commands.describe(booking="The booking to cancel")
    @app_commands.autocomplete(booking=own_bookings)
    @app_commands.guild_only()
    @require_role("participant", "mentor")
    async def cancel(
        self, interaction: discord.Interaction[Any], booking: app_commands.Range[int, 1, ID_MAX]
    ) -> None:
        await defer(interaction)
        now = self.bot.clock.now()
        result = await self.bot.db.write(
            lambda session: mentors.cancel_booking(
                session, booking_id=booking, actor_id=interaction.user.id, now=now
            )
        )
        await self.discord.cancelled(result)
        await send(
            interaction,
            tr(
                interaction,
                "mentors.cancel.done",
                start=discord_ts(result.booking.starts_at, "F"),
                team=result.booking.team_name,
                mentor=mention(result.booking.mentor_id),
            ),
        )

    # -- help queue ------------------------------------------------------------------------------
    @app_commands.command(name="request", description="Ask the mentoring queue for help")
    @app_commands.describe(
        topic="The topic of your question",
        details="What you need help with",
        mentor="Ask again for someone who helped you",
    )
    @app_commands.autocomplete(topic=topics)
    @app_commands.guild_only()
    @require_role("participant")
    async def request(
        self,
        interaction: discord.Interaction[Any],
        topic: app_commands.Range[str, 1, 32],
        details: app_commands.Range[str, 1, 1000],
        mentor: discord.Member | None = None,
    ) -> None:
        await defer(interaction)
        rules, now = rules_of(self.bot), self.bot.clock.now()
        info = await self.bot.db.write(
            lambda session: mentors.create_request(
                session,
                rules,
                user_id=interaction.user.id,
                topic=topic,
                details=details,
                mentor_id=mentor.id if mentor is not None else None,
                now=now,
            )
        )
        posted = await self.discord.post_request(info)
        if posted is not None:
            request_id = info.request.id
            await self.bot.db.write(
                lambda session: mentors.set_request_message(
                    session, request_id, posted.channel.id, posted.id
                )
            )
        wait: Any = (
            Message("mentors.request.minutes", count=minutes(info.estimate.total_seconds()))
            if info.estimate is not None
            else Message("mentors.request.no_estimate")
        )
        await send(
            interaction,
            tr(interaction, "mentors.request.queued", position=info.position, wait=wait),
        )

    # -- organizers ------------------------------------------------------------------------------
    @app_commands.command(name="stats", description="Mentoring figures (organizers)")
    @app_commands.guild_only()
    @require_role("organizer")
    async def stats(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        async with self.bot.db.read() as session:
            figures = await mentors.stats(session, self.bot.clock.now())
        if figures.requests == 0 and figures.bookings == 0 and not figures.mentors:
            await send(interaction, tr(interaction, "mentors.stats.none"))
            return

        def wait(value: Any) -> Any:
            if value is None:
                return Message("mentors.stats.no_value")
            return Message("mentors.stats.minutes", count=minutes(value.total_seconds()))

        lines = [
            tr(
                interaction,
                "mentors.stats.summary",
                requests=figures.requests,
                open=figures.open,
                resolved=figures.resolved,
                claims=figures.claims,
                p50=wait(figures.wait_p50),
                p90=wait(figures.wait_p90),
                bookings=figures.bookings,
                cancelled=figures.cancelled_bookings,
            )
        ]
        for row in figures.mentors[:30]:
            rating: Any = (
                f"{row.rating_avg:.1f}"
                if row.rating_avg is not None
                else Message("mentors.stats.no_value")
            )
            lines.append(
                tr(
                    interaction,
                    "mentors.stats.mentor",
                    mentor=mention(row.mentor_id),
                    sessions=row.sessions,
                    claims=row.claims,
                    resolved=row.resolved,
                    rating=rating,
                    ratings=row.ratings,
                )
            )
        await send(interaction, "\n".join(lines)[:2000])


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Mentors(bot))
