"""`/submit` and `/submission status`: a team's deliverables, verified on the Hub, with the
checklist of each in the member's language. Defer first; the Hub is asked with no database
transaction open."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from bot.discord.checks import require_role
from bot.discord.replies import defer, send, tr
from bot.discord.submissions import checklist
from bot.errors import InvalidInput
from bot.i18n import Message
from bot.models.submissions import KINDS
from bot.services import submissions
from bot.services.submissions import store
from bot.services.submissions.refs import MAX_INPUT, RepoRef, parse_ref
from bot.services.submissions.store import SubmissionView

log = logging.getLogger(__name__)

MEMBER_LOCK = "submissions"  # a member runs one submission command at a time
EMBED_MAX = 4096


def render(interaction: discord.Interaction[Any], message: Message) -> str:
    return tr(interaction, message.key, **message.params)


def checklist_embed(interaction: discord.Interaction[Any], view: SubmissionView) -> discord.Embed:
    text = render(interaction, checklist(view))
    title, _, body = text.partition("\n")
    if len(body) > EMBED_MAX:
        body = body[: EMBED_MAX - 1] + "…"
    return discord.Embed(title=title[:256], description=body)


def parse_all(given: dict[str, str | None]) -> list[RepoRef]:
    refs = [parse_ref(kind, text) for kind, text in given.items() if text is not None]
    if not refs:
        raise InvalidInput("submissions.errors.nothing")
    return refs


class Submit(commands.Cog):
    """`/submit`: team members (participants; organizers may act for a team they are in)."""

    member_lock = MEMBER_LOCK

    def __init__(self, bot: HackBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="submit", description="Submit your team's dataset, model or demo Space"
    )
    @app_commands.describe(
        dataset="The dataset: org/name or its Hub URL",
        model="The model: org/name or its Hub URL",
        space="The demo Space: org/name or its Hub URL",
    )
    @app_commands.guild_only()
    @require_role("participant")
    async def submit(
        self,
        interaction: discord.Interaction[Any],
        dataset: app_commands.Range[str, 1, MAX_INPUT] | None = None,
        model: app_commands.Range[str, 1, MAX_INPUT] | None = None,
        space: app_commands.Range[str, 1, MAX_INPUT] | None = None,
    ) -> None:
        await defer(interaction)
        bot, config, now = self.bot, self.bot.settings.config, self.bot.clock.now()
        closed = submissions.closed_error(config, now)
        if closed is not None:
            raise closed
        refs = parse_all({"dataset": dataset, "model": model, "space": space})
        result = await submissions.submit(
            bot.db, bot.hub.impatient(), config, user_id=interaction.user.id, refs=refs, now=now
        )
        if result.token_alert:
            await bot.job_context.notifier.post(
                "organizers", Message("submissions.admin.token_rejected")
            )
        lines = [
            Message("submissions.submit.done", team=result.team.name, count=len(result.results))
        ]
        for item in result.results:
            if item.hub_problem == "unauthorized":
                lines.append(Message("submissions.submit.token_rejected", repo=item.view.repo_id))
            elif item.hub_problem is not None:
                lines.append(Message("submissions.submit.pending", repo=item.view.repo_id))
        await send(
            interaction,
            "\n".join(render(interaction, line) for line in lines),
            embeds=[
                checklist_embed(interaction, item.view)
                for item in [*result.results, *result.updated]
            ],
        )


class SubmissionGroup(
    commands.GroupCog, group_name="submission", group_description="Your team's submissions"
):
    member_lock = MEMBER_LOCK

    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="status", description="Your team's latest checklist and the pinned commit of each repo"
    )
    @app_commands.guild_only()
    @require_role("participant")
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        async with self.bot.db.read() as session:
            team, current = await store.team_and_current(session, interaction.user.id)
        missing = [kind for kind in KINDS if kind not in current]
        lines = [Message("submissions.status_reply.title", team=team.name)]
        if missing:
            words = [Message(f"submissions.kinds.{kind}") for kind in missing]
            lines.append(Message("submissions.status_reply.missing", kinds=_listing(words)))
        await send(
            interaction,
            "\n".join(render(interaction, line) for line in lines),
            embeds=[checklist_embed(interaction, view) for view in current.values()],
        )


def _listing(words: list[Message]) -> Message:
    if len(words) == 1:
        return words[0]
    return Message("submissions.join.comma", first=words[0], rest=_listing(words[1:]))


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Submit(bot))
    await bot.add_cog(SubmissionGroup(bot))
