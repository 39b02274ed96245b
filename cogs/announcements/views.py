"""The announcement modal (title and body) and the preview's Confirm and Cancel buttons.

Submitting the modal stores a draft; the preview's buttons are ``DynamicItem``s carrying the
draft's id, so they keep working after a restart (for ``DRAFT_TTL``) and a forged or repeated
click is answered, never acted on twice: the service moves a draft once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.checks import member_has_role
from bot.discord.components import HackModal, HackView, guarded
from bot.discord.replies import defer, send, tr
from bot.discord.timestamps import discord_ts
from bot.discord.trust import bounded
from bot.errors import InvalidInput, MissingRole
from bot.models.announcements import BODY_MAX, TITLE_MAX
from bot.services import announcements
from bot.services.announcements import Draft
from cogs.announcements.embeds import preview_embed, preview_text, reach_of, report_text
from jobs.announcements_send import deliver, send_report

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)
Interaction = discord.Interaction[Any]
ID_MAX = 2**31 - 1


class AnnounceModal(HackModal):
    """Title and body; submitting stores the draft and shows its preview."""

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
        now = self.bot.clock.now()
        stored = await self.bot.db.write(
            lambda session: announcements.create_draft(
                session, draft, author_id=interaction.user.id, now=now
            )
        )
        view = HackView(timeout=None)
        view.add_item(
            PreviewButton(stored.id, True, tr(interaction, "announcements.preview.confirm"))
        )
        view.add_item(
            PreviewButton(stored.id, False, tr(interaction, "announcements.preview.cancel"))
        )
        await send(
            interaction,
            preview_text(self.bot, draft),
            embed=preview_embed(interaction, self.bot, draft, reach),
            view=view,
        )


class PreviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"announce:(?P<action>[^:]*):(?P<id>[^:]*)",
):
    """Confirm (stores the announcement as scheduled and, when it is for now, sends it) or
    Cancel (discards the draft). Only the draft's author, still an organizer, may press."""

    def __init__(
        self, announcement_id: int, confirm: bool, label: str = "", *, valid: bool = True
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or ("Confirm" if confirm else "Cancel"),
                style=discord.ButtonStyle.success if confirm else discord.ButtonStyle.secondary,
                custom_id=f"announce:{'ok' if confirm else 'no'}:{announcement_id}",
            )
        )
        self.announcement_id = announcement_id
        self.confirm = confirm
        self.valid = valid

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PreviewButton:
        announcement_id = bounded(match["id"], 1, ID_MAX)
        valid = announcement_id is not None and match["action"] in ("ok", "no")
        label = getattr(item, "label", "") or ""
        return cls(announcement_id or 0, match["action"] == "ok", label, valid=valid)

    @guarded
    async def callback(self, interaction: Interaction) -> None:
        if not self.valid:
            raise InvalidInput("core.errors.invalid_button")
        bot: HackBot = interaction.client
        if not member_has_role(bot, interaction.user, "organizer"):
            raise MissingRole(tr(interaction, "core.roles.organizer"))
        await interaction.response.defer()
        now = bot.clock.now()
        if not self.confirm:
            await bot.db.write(
                lambda session: announcements.discard(
                    session, self.announcement_id, actor_id=interaction.user.id, now=now
                )
            )
            await interaction.edit_original_response(
                content=tr(interaction, "announcements.confirm.cancelled"), embed=None, view=None
            )
            return
        confirmed = await bot.db.write(
            lambda session: announcements.confirm(
                session, self.announcement_id, actor_id=interaction.user.id, now=now
            )
        )
        await interaction.edit_original_response(view=None)
        assert confirmed.publish_at is not None
        if confirmed.publish_at > now:
            await send(
                interaction,
                tr(
                    interaction,
                    "announcements.confirm.scheduled",
                    id=confirmed.id,
                    when=discord_ts(confirmed.publish_at, "F"),
                    relative=discord_ts(confirmed.publish_at, "R"),
                ),
            )
            return
        await send(interaction, tr(interaction, "announcements.confirm.sending", id=confirmed.id))
        bot.spawn(send_now(bot, interaction, confirmed.id), name=f"hackbot-announce-{confirmed.id}")


async def send_now(bot: HackBot, interaction: Interaction, announcement_id: int) -> None:
    """Deliver a confirmed announcement now, then tell its author how it went: as a reply
    while the click's interaction lives (15 minutes), by DM otherwise. Should this process
    die half-way, the send job resumes the fan-out."""
    try:
        report = await deliver(bot.job_context, announcement_id)
    except Exception:
        log.exception(
            "announcement %s: delivery failed; the send job will resume it", announcement_id
        )
        return
    if report is None:
        return
    try:
        await interaction.followup.send(report_text(interaction, report), ephemeral=True)
    except discord.HTTPException:
        await send_report(bot.job_context, report)


DYNAMIC_ITEMS = (PreviewButton,)
