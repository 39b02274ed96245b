"""Permissions: every command the bot synced, run by a member with no role, a participant, a
mentor and an organizer, is allowed or refused exactly as docs/commands.md says ("who may use
it"). The local Discord dispatches every command to everyone, as if the server's admins had
opened them all: the bot's own checks must hold on their own.

A refusal is the catalog's ``core.errors.missing_role`` naming the first role the page lists,
with nothing posted and nothing written. An allowed command gets past the role check: it is
answered (a result, a form, or a refusal for another reason such as having no team), with no
error logged. Options hold harmless values; one sandbox per role.
"""

from __future__ import annotations

import pytest

from bot.i18n import catalogs
from sandbox.discord import RejectedByDiscord
from tests.conftest import ROOT
from tests.integration.conftest import MakeSandbox
from tests.integration.hostile_support import (
    OTHER,
    CommittedWrites,
    answered,
    reply_texts,
    required_values,
    synced_leaves,
)
from tests.integration.replies import expected

ROLES = ("none", "participant", "mentor", "organizer")
ACTOR = "quien"
# Tables any interaction may write (the member's language), refused or not.
BOOKKEEPING = ("member_locales",)


def documented() -> dict[str, list[str]]:
    """Command path -> the roles that may use it, read from docs/commands.md."""
    table: dict[str, list[str]] = {}
    for line in (ROOT / "docs" / "commands.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `/"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        path = cells[0].strip("`").lstrip("/")
        table[path] = [role.strip() for role in cells[2].split(",")]
    return table


def may_use(roles: list[str], role: str) -> bool:
    return "everyone" in roles or role in roles


def test_the_page_lists_every_role_and_the_organizer_everywhere() -> None:
    table = documented()
    assert len(table) >= 40
    for path, roles in table.items():
        assert set(roles) <= {"everyone", "participant", "mentor", "organizer"}, path
        assert roles == ["everyone"] or "organizer" in roles, path


@pytest.mark.parametrize("role", ROLES)
async def test_every_command_by_role(make_sandbox: MakeSandbox, role: str) -> None:
    member_roles = () if role == "none" else (role,)
    sandbox = await make_sandbox(members={ACTOR: member_roles, OTHER: ("participant",)})
    sandbox.discord.ratelimits.enabled = False
    table = documented()
    leaves = synced_leaves(sandbox)
    assert {leaf.path for leaf in leaves} == set(table), "docs/commands.md and the tree differ"
    writes = CommittedWrites(sandbox)
    problems: list[str] = []
    allowed = refused = 0

    for leaf in leaves:
        roles = table[leaf.path]
        writes.take()
        try:
            outcome = await sandbox.run(ACTOR, leaf.path, required_values(leaf))
        except RejectedByDiscord as exc:  # pragma: no cover - harmless values are valid
            problems.append(f"/{leaf.path}: Discord would not send it: {exc}")
            continue
        written = [t for t in writes.take() if t not in BOOKKEEPING]
        texts = reply_texts(outcome)
        if outcome.errors:
            problems.append(f"/{leaf.path}: errors {outcome.errors}")
        if may_use(roles, role):
            allowed += 1
            if not answered(outcome):
                problems.append(f"/{leaf.path}: allowed to {role}, but no answer")
            if any(text == missing_role(roles[0]) for text in texts):
                problems.append(f"/{leaf.path}: documented for {roles}, refused to {role}")
        else:
            refused += 1
            if texts != [missing_role(roles[0])]:
                problems.append(f"/{leaf.path}: only for {roles}, {role} got {texts}")
            if outcome.effects or written:
                problems.append(f"/{leaf.path}: refused to {role}, yet {outcome.effects} {written}")
    writes.close()

    assert problems == [], "\n".join(problems)
    if role == "organizer":
        assert refused == 0
    else:
        assert refused > 0 and allowed > 0


def missing_role(role: str) -> str:
    """The refusal of a command for ``role`` (the first the page lists), in Spanish."""
    return expected("core.errors.missing_role", role=catalogs().t("es-ES", f"core.roles.{role}"))
