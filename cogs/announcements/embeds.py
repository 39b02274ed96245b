"""How announcements look in replies: the preview, its reach, the delivery report, the list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.mentions import channel_mention, mention
from bot.discord.replies import tr
from bot.discord.timestamps import discord_ts
from bot.models.announcements import DM_NOBODY, PING_EVERYONE, PING_NOBODY, PING_ROLE
from bot.services import announcements
from bot.services.announcements import AnnouncementView, Draft, Report
from bot.text import Safe
from jobs.announcements_send import ping_line, recipients, report_message

if TYPE_CHECKING:
    from bot.app import HackBot

Interaction = discord.Interaction[Any]


@dataclass(frozen=True)
class Reach:
    pinged: int
    dms: int
    people: int  # pinged or DMed, each person once


async def reach_of(bot: HackBot, draft: Draft) -> Reach:
    """Who the announcement will reach if it were sent now."""
    pinged: set[int] = set()
    guild = bot.guild
    if draft.channel_id is not None and guild is not None:
        if draft.ping == PING_EVERYONE:
            pinged = {m.id for m in guild.members if not m.bot}
        elif draft.ping != PING_NOBODY and draft.ping_role_id is not None:
            role = guild.get_role(draft.ping_role_id)
            pinged = {m.id for m in role.members if not m.bot} if role is not None else set()
    dms = set(await recipients(bot.job_context, draft.dm_audience))
    return Reach(len(pinged), len(dms), len(pinged | dms))


def preview_text(bot: HackBot, draft: Draft) -> str:
    """Exactly what the channel shows (the DM when there is no channel post)."""
    ping = ping_line(draft.ping, draft.ping_role_id) if draft.channel_id is not None else None
    return announcements.render(draft.title, draft.body, ping)


def ping_words(interaction: Interaction, bot: HackBot, ping: str, role_id: int | None) -> Safe:
    """Who a post mentions, in words (a role by its name, neutralized)."""
    if ping == PING_ROLE:
        role = bot.guild.get_role(role_id) if bot.guild is not None and role_id else None
        return Safe(tr(interaction, "announcements.ping.role", role=role.name if role else "?"))
    return Safe(tr(interaction, f"announcements.ping.{ping}"))


def preview_embed(
    interaction: Interaction, bot: HackBot, draft: Draft, reach: Reach
) -> discord.Embed:
    lines = [
        tr(interaction, "announcements.preview.channel", channel=channel_mention(draft.channel_id))
        if draft.channel_id is not None
        else tr(interaction, "announcements.preview.no_channel")
    ]
    if draft.publish_at is None:
        lines.append(tr(interaction, "announcements.preview.when_now"))
    else:
        lines.append(
            tr(
                interaction,
                "announcements.preview.when_at",
                when=discord_ts(draft.publish_at, "F"),
                relative=discord_ts(draft.publish_at, "R"),
            )
        )
    if draft.channel_id is not None:
        words = ping_words(interaction, bot, draft.ping, draft.ping_role_id)
        lines.append(tr(interaction, "announcements.preview.ping", audience=words))
    if draft.dm_audience != DM_NOBODY:
        words = Safe(tr(interaction, f"announcements.dm_audience.{draft.dm_audience}"))
        lines.append(tr(interaction, "announcements.preview.dm", audience=words))
    lines.append(tr(interaction, "announcements.preview.reach", count=reach.people))
    lines.append(
        tr(interaction, "announcements.preview.reach_detail", pinged=reach.pinged, dms=reach.dms)
    )
    return discord.Embed(
        title=tr(interaction, "announcements.preview.header"), description="\n".join(lines)
    )


def report_text(interaction: Interaction, report: Report) -> str:
    message = report_message(report)
    return tr(interaction, message.key, **message.params)


def audience_words(interaction: Interaction, bot: HackBot, row: AnnouncementView) -> str:
    """Where it goes and to whom: the channel and who it mentions, who gets it by DM."""
    parts = []
    if row.channel_id is not None:
        parts.append(
            tr(
                interaction,
                "announcements.list.audience_channel",
                channel=channel_mention(row.channel_id),
                ping=ping_words(interaction, bot, row.ping, row.ping_role_id),
            )
        )
    if row.dm_audience != DM_NOBODY:
        dm = Safe(tr(interaction, f"announcements.dm_audience.{row.dm_audience}"))
        parts.append(tr(interaction, "announcements.list.audience_dm", dm=dm))
    return "; ".join(parts)


def list_embed(
    interaction: Interaction, bot: HackBot, rows: list[AnnouncementView]
) -> discord.Embed:
    embed = discord.Embed(title=tr(interaction, "announcements.list.title"))
    if not rows:
        embed.description = tr(interaction, "announcements.list.empty")
        return embed
    lines = []
    for row in rows:
        line = tr(
            interaction,
            "announcements.list.line",
            id=row.id,
            status=Safe(tr(interaction, f"announcements.status.{row.status}")),
            when=discord_ts(row.publish_at or row.created_at, "f"),
            title=row.title,
            author=mention(row.author_id),
            audience=Safe(audience_words(interaction, bot, row)),
        )
        if row.recipients:
            line += " · " + tr(
                interaction,
                "announcements.list.counts",
                delivered=row.delivered,
                failed=row.closed + row.failed,
            )
        lines.append(line)
    embed.description = "\n".join(lines)[:4000]
    return embed
