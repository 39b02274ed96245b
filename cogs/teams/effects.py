"""The Discord side of team changes: private threads, forum posts and their tags, and the
messages carrying invitation and join-request buttons.

The database is the truth. Creation is the one place where Discord comes first (a team
exists only with its thread); after that, Discord follows what the database says, and a
Discord failure is logged, never half-undoes a committed change.
"""

from __future__ import annotations

import contextlib
import logging
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.discord.mentions import mention
from bot.discord.notifier import DiscordNotifier
from bot.i18n import Message
from bot.services import teams
from bot.services.members import locales_of
from bot.services.teams import ClosedItem, DisbandResult, MembershipChange, TeamView

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080  # a week: the longest Discord allows


class TeamDiscord:
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        self.settings = bot.settings.config.teams
        self.notifier = DiscordNotifier(bot)

    # -- text in the event's language (public places) -------------------------------------
    def public(self, key: str, **params: Any) -> str:
        return self.bot.catalogs.t(self.bot.settings.config.event.default_locale, key, **params)

    # -- lookups ------------------------------------------------------------------------------
    async def channel_by_id(self, channel_id: int | None) -> Any:
        return await self.notifier.channel_by_id(channel_id)

    async def forum_tags(self, forum: discord.ForumChannel) -> dict[str, discord.ForumTag]:
        """The forum's tags by name, creating the team tags that are missing."""
        wanted = [self.settings.tag_recruiting, self.settings.tag_full, self.settings.tag_looking]
        existing = {tag.name: tag for tag in forum.available_tags}
        missing = [name for name in wanted if name not in existing]
        if missing:
            tags = list(forum.available_tags) + [discord.ForumTag(name=name) for name in missing]
            forum = await forum.edit(available_tags=tags)
            existing = {tag.name: tag for tag in forum.available_tags}
        return existing

    # -- creation -----------------------------------------------------------------------------
    async def create_spaces(
        self, name: str, captain: discord.abc.Snowflake, description: str | None, open_team: bool
    ) -> tuple[discord.Thread, discord.Thread]:
        """The team's private thread and its recruiting forum post; all or nothing."""
        teams_channel = self.bot.channel("teams")
        forum = self.bot.channel("team_forum")
        if not isinstance(teams_channel, discord.TextChannel) or not isinstance(
            forum, discord.ForumChannel
        ):
            raise LookupError("the teams channel or the team forum is missing")
        thread = await teams_channel.create_thread(
            name=name,
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
        try:
            await thread.add_user(captain)
            tags = await self.forum_tags(forum)
            post = await forum.create_thread(
                name=name,
                content=self.recruiting_text(name, captain.id, description, open_team),
                applied_tags=[tags[self.settings.tag_recruiting]],
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except Exception:
            await self.delete_quietly(thread)
            raise
        return thread, post.thread

    def recruiting_text(
        self, name: str, captain_id: int, description: str | None, open_team: bool
    ) -> str:
        how = "teams.forum.join_open" if open_team else "teams.forum.join_request"
        return self.public(
            "teams.forum.recruiting",
            team=name,
            captain=mention(captain_id),
            description=description or "-",
            how=Message(how, team=name),
        )

    async def delete_quietly(self, channel: Any) -> None:
        if channel is None:
            return
        try:
            await channel.delete()
        except discord.HTTPException:
            log.warning(
                "could not delete channel %s while undoing a team", getattr(channel, "id", "?")
            )

    # -- after a change -------------------------------------------------------------------------
    async def apply(self, change: MembershipChange) -> None:
        """Make Discord show what ``change`` did."""
        if change.moved_from is not None:
            await self.apply(change.moved_from)
        team = change.team
        thread = await self.channel_by_id(team.thread_id)
        await self._guard(self._membership(thread, change), "thread membership", team)
        if change.disbanded:
            await self._guard(self.close_spaces(team), "closing spaces", team)
        elif change.became_full or change.became_open:
            await self._guard(self.set_recruiting(team), "forum tags", team)
        if change.new_captain is not None and not change.disbanded and change.removed is not None:
            await self._guard(self.move_requests(team, change.removed), "join requests", team)
        await self.close_leftovers(change)

    async def deliver_request(
        self, team: TeamView, member_id: int, request_id: int
    ) -> discord.Message | None:
        """Post a join request with its buttons in the team's private thread, in the captain's
        language; when the thread is gone or refuses the post, send the same to the captain by
        DM. None when neither took it (the caller decides what becomes of the request)."""
        from cogs.teams.views import answer_buttons  # views imports this module

        bot, captain = self.bot, team.captain_id
        async with bot.db.read() as session:
            locale = (await locales_of(session, [captain])).get(captain)
        text = bot.catalogs.t(
            locale,
            "teams.join.request",
            member=mention(member_id),
            captain=mention(captain),
            team=team.name,  # a DM names the team: a captain of one reads it among others
        )
        thread = await self.channel_by_id(team.thread_id)
        if isinstance(thread, discord.Thread):
            try:
                return await thread.send(
                    text,
                    view=answer_buttons("req", request_id, locale, bot),
                    allowed_mentions=discord.AllowedMentions(users=[discord.Object(captain)]),
                )
            except discord.HTTPException as exc:
                log.warning(
                    "team %s: its thread %s refused join request %s (%s %s); sending it to the "
                    "captain by DM",
                    team.id,
                    team.thread_id,
                    request_id,
                    exc.status,
                    exc.code,
                )
        else:
            log.warning(
                "team %s: its thread %s is gone; sending join request %s to the captain by DM",
                team.id,
                team.thread_id,
                request_id,
            )
        try:
            user = bot.get_user(captain) or await bot.fetch_user(captain)
            return await user.send(
                text,
                view=answer_buttons("req", request_id, locale, bot),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:
            log.warning(
                "team %s: captain %s refused join request %s by DM too (%s %s)",
                team.id,
                captain,
                request_id,
                exc.status,
                exc.code,
            )
            return None

    async def move_requests(self, team: TeamView, previous_captain: int) -> None:
        """A new captain answers the join requests the previous one received by DM (the team's
        thread was gone when they were asked): each goes to the new captain (the thread again
        if it is back, else their DMs), and the old message says where it went, its buttons
        gone. One the new captain cannot receive either stays where it was until it expires."""
        async with self.bot.db.read() as session:
            waiting = await teams.requests_in_dms(session, team.id, team.thread_id)
        for request in waiting:
            message = await self.deliver_request(team, request.user_id, request.id)
            if message is None:
                continue
            await self.bot.db.write(
                partial(
                    teams.set_request_message,
                    request_id=request.id,
                    channel_id=message.channel.id,
                    message_id=message.id,
                )
            )
            await self.notifier.edit(
                request.channel_id,
                request.message_id,
                Message(
                    "teams.join.request_moved",
                    member=mention(request.user_id),
                    captain=mention(team.captain_id),
                    team=team.name,
                ),
                reader_id=previous_captain,
            )

    async def close_leftovers(self, change: MembershipChange) -> None:
        """Invitations and requests the change closed, and a looking-for-team post retired."""
        for item in change.closed:
            await self._guard(self.close_item(item), "closing an invitation", change.team)
        if change.lft_post_removed:
            post = await self.channel_by_id(change.lft_post_removed)
            await self._guard(self.delete_quietly(post), "lft post", change.team)

    async def apply_disband(self, result: DisbandResult) -> None:
        """A disbanded team: its spaces are archived and locked (members keep the history to
        read), its forum post stops recruiting, and pending answers close."""
        team = result.team
        await self._guard(self.close_spaces(team), "closing spaces", team)
        for item in result.closed:
            await self._guard(self.close_item(item), "closing an invitation", team)

    async def _guard(self, coro: Any, what: str, team: TeamView) -> None:
        try:
            await coro
        except discord.HTTPException as exc:
            log.warning(
                "discord refused %s for team %s: %s %s", what, team.id, exc.status, exc.code
            )

    async def _membership(self, thread: Any, change: MembershipChange) -> None:
        if not isinstance(thread, discord.Thread):
            return
        if change.added is not None:
            await thread.add_user(discord.Object(change.added))
            await thread.send(
                self.public("teams.thread.joined", member=mention(change.added)),
                allowed_mentions=discord.AllowedMentions(users=[discord.Object(change.added)]),
            )
        if change.removed is not None:
            # Discord already dropped a member who left the server from the thread.
            with contextlib.suppress(discord.NotFound):
                await thread.remove_user(discord.Object(change.removed))
            if not change.disbanded:
                await thread.send(self.public("teams.thread.left", member=mention(change.removed)))
        if change.new_captain is not None and not change.disbanded:
            await thread.send(
                self.public("teams.thread.new_captain", member=mention(change.new_captain)),
                allowed_mentions=discord.AllowedMentions(
                    users=[discord.Object(change.new_captain)]
                ),
            )

    async def set_recruiting(self, team: TeamView) -> None:
        post = await self.channel_by_id(team.forum_post_id)
        forum = self.bot.channel("team_forum")
        if not isinstance(post, discord.Thread) or not isinstance(forum, discord.ForumChannel):
            return
        tags = await self.forum_tags(forum)
        tag = tags[self.settings.tag_full if team.full else self.settings.tag_recruiting]
        await post.edit(applied_tags=[tag])

    async def rename_spaces(self, team: TeamView) -> None:
        for channel_id in (team.thread_id, team.forum_post_id):
            channel = await self.channel_by_id(channel_id)
            if isinstance(channel, discord.Thread):
                await self._guard(channel.edit(name=team.name), "rename", team)

    async def close_spaces(self, team: TeamView) -> None:
        """A disbanded team: its thread and forum post are archived and locked, kept as a record."""
        for channel_id in (team.thread_id, team.forum_post_id):
            channel = await self.channel_by_id(channel_id)
            if isinstance(channel, discord.Thread):
                if channel_id == team.thread_id:
                    await self._guard(
                        channel.send(self.public("teams.thread.disbanded", team=team.name)),
                        "notice",
                        team,
                    )
                await self._guard(channel.edit(archived=True, locked=True), "archive", team)

    async def close_item(self, item: ClosedItem, *, answered_here: bool = False) -> None:
        """Edit an invitation or request message in its reader's language: its outcome shown,
        its buttons gone (``answered_here``: its own buttons already showed the answer); then
        tell whoever waited on it how it ended."""
        if not answered_here and item.channel_id is not None and item.message_id is not None:
            await self.notifier.edit(
                item.channel_id, item.message_id, item.notice(mention), reader_id=item.reader_id
            )
        follow_up = item.follow_up(mention)
        if follow_up is not None:
            await self.notifier.dm(*follow_up)
