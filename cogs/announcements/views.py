"""The announcement modal (title and body) and the preview's Confirm and Cancel buttons.

The preview is ephemeral and short-lived: its buttons live in memory for
:data:`PREVIEW_TIMEOUT` and die with the process, so a restart or a timeout sends nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.checks import member_has_role
from bot.discord.components import HackModal, HackView
from bot.discord.replies import defer, send, tr
from bot.discord.timestamps import discord_ts
from bot.errors import Forbidden, MissingRole
from bot.models.announcements import BODY_MAX, TITLE_MAX
from bot.services import announcements
from bot.services.announcements import Draft
from cogs.announcements.embeds import preview_embed, preview_text, reach_of, report_text
from jobs.announcements_send import deliver, report_message

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)
Interaction = discord.Interaction[Any]
PREVIEW_TIMEOUT = 600.0


class AnnounceModal(HackModal):
    """Title and body; submitting shows the preview."""

    def __init__(self, interaction: Interaction, bot: HackBot, draft: Draft) -> None:
        super().__init__(title=tr(interaction, "announcements.modal.title")[:45], timeout=900)
        self.bot = bot
        self.draft = draft
        self.title_input: discord.ui.TextInput[AnnounceModal] = discord.ui.TextInput(
            label=tr(interaction, "announcements.modal.field_title")[:45],
            custom_id="title",
            max_length=TITLE_MAX,
        )
        self.body_input: discord.ui.TextInput[AnnounceModal] = discord.ui.TextInput(
            label=tr(interaction, "announcements.modal.field_body")[:45],
            custom_id="body",
            style=discord.TextStyle.paragraph,
            max_length=BODY_MAX,
        )
        self.add_item(self.title_input)
        self.add_item(self.body_input)

    async def on_submit(self, interaction: Interaction, /) -> None:
        await defer(interaction)
        draft = replace(self.draft, title=self.title_input.value, body=self.body_input.value)
        announcements.check_draft(draft)
        reach = await reach_of(self.bot, draft)
        view = PreviewView(self.bot, interaction.user.id, draft)
        await send(
            interaction,
            preview_text(self.bot, draft),
            embed=preview_embed(interaction, self.bot, draft, reach),
            view=view.labelled(interaction),
        )


class PreviewView(HackView):
    """Confirm stores the announcement (and sends it when it is for now); Cancel sends nothing."""

    def __init__(self, bot: HackBot, author_id: int, draft: Draft) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT)
        self.bot = bot
        self.author_id = author_id
        self.draft = draft
        self.done = False

    def labelled(self, interaction: Interaction) -> PreviewView:
        self.confirm.label = tr(interaction, "announcements.preview.confirm")
        self.cancel.label = tr(interaction, "announcements.preview.cancel")
        return self

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        if not await super().interaction_check(interaction):
            return False
        if interaction.user.id != self.author_id:
            raise Forbidden("announcements.errors.not_yours")
        if not member_has_role(self.bot, interaction.user, "organizer"):
            raise MissingRole(tr(interaction, "core.roles.organizer"))
        return True

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.success, custom_id="confirm")
    async def confirm(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        if self.done:
            return
        self.done = True
        self.stop()
        await interaction.response.edit_message(view=None)
        now = self.bot.clock.now()
        created = await self.bot.db.write(
            lambda session: announcements.create(
                session, self.draft, author_id=interaction.user.id, now=now
            )
        )
        if self.draft.publish_at is not None:
            await send(
                interaction,
                tr(
                    interaction,
                    "announcements.confirm.scheduled",
                    id=created.id,
                    when=discord_ts(created.publish_at, "F"),
                    relative=discord_ts(created.publish_at, "R"),
                ),
            )
            return
        await send(interaction, tr(interaction, "announcements.confirm.sending", id=created.id))
        task = asyncio.create_task(
            self._deliver(interaction, created.id), name=f"hackbot-announce-{created.id}"
        )
        self.bot._background.add(task)
        task.add_done_callback(self.bot._background.discard)

    async def _deliver(self, interaction: Interaction, announcement_id: int) -> None:
        """Send now, then tell the author how it went: in the preview's thread of replies
        while the interaction lives (15 minutes), by DM otherwise."""
        try:
            report = await deliver(self.bot.job_context, announcement_id)
        except Exception:
            log.exception("announcement %s: delivery failed", announcement_id)
            return
        if report is None:
            return
        try:
            await interaction.followup.send(report_text(interaction, report), ephemeral=True)
        except discord.HTTPException:
            await self.bot.job_context.notifier.dm(
                report.announcement.author_id, report_message(report)
            )

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary, custom_id="cancel")
    async def cancel(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        if self.done:
            return
        self.done = True
        self.stop()
        await interaction.response.edit_message(
            content=tr(interaction, "announcements.confirm.cancelled"), embed=None, view=None
        )
