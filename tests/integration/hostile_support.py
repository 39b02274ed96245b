"""Helpers for the hostile-input and permissions sandbox tests (no tests here).

The commands are read from what the bot synced to the local Discord, so a command added to
the bot is driven by these tests without editing them; harmless values fill every option a
test does not aim at. The database is compared whole, table by table, before and after a
refused command.
"""

from __future__ import annotations

import re
import string
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Connection

from bot.i18n import LANGUAGES, catalogs
from bot.models import Base
from bot.text import is_invisible
from sandbox.discord import RejectedByDiscord
from sandbox.discord.actions import bot_in, commands_for
from sandbox.discord.commands import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    SUB_COMMAND,
    SUB_GROUP,
    USER,
)
from sandbox.harness import DEFAULT_CHANNEL, Sandbox, StepOutcome
from tests.hostile import corpus
from tests.integration.conftest import MakeSandbox
from tests.integration.teams_support import ok

# A member the harmless user options name (never the one acting).
OTHER = "bea"
HARMLESS_TEXT = "hola"
# A sign-up list with one well-formed row: the harmless value of a file option.
# How the bot writes an @everyone it keeps as text (bot/services/announcements/drafts.py).
DEFANGED_AT = "@\u200b"
HARMLESS_CSV = "email,name,country,hub_user\nluz@example.org,Luz,ES,luz\n"


@dataclass(frozen=True)
class Leaf:
    """A command members can run (``team create``) and its options as synced to Discord."""

    path: str
    options: tuple[dict[str, Any], ...]

    @property
    def text_options(self) -> list[dict[str, Any]]:
        """The options a member fills with free text or a file of their own."""
        return [
            o
            for o in self.options
            if (o["type"] == STRING and not o.get("choices")) or o["type"] == ATTACHMENT
        ]


def synced_leaves(sandbox: Sandbox) -> list[Leaf]:
    """Every command the event's members see, as the bot synced it, by path."""
    guild = sandbox.discord.state.guild(sandbox.guild_id)
    found: list[Leaf] = []

    def walk(prefix: str, options: list[dict[str, Any]]) -> None:
        subs = [o for o in options if o.get("type") in (SUB_COMMAND, SUB_GROUP)]
        if not subs:
            found.append(Leaf(prefix, tuple(options)))
        for sub in subs:
            walk(f"{prefix} {sub['name']}", list(sub.get("options") or []))

    for command in commands_for(guild, bot_in(sandbox.discord, guild)):
        if int(command.get("type", 1)) == 1:
            walk(command["name"], list(command.get("options") or []))
    return sorted(found, key=lambda leaf: leaf.path)


def harmless(option: dict[str, Any]) -> Any:
    """A value for ``option`` that no rule of the bot should find odd."""
    kind = option["type"]
    if option.get("choices"):
        return option["choices"][0]["value"]
    if kind == STRING:
        return HARMLESS_TEXT
    if kind in (INTEGER, NUMBER):
        low = option.get("min_value")
        return 1 if low is None or low <= 1 else low
    if kind == BOOLEAN:
        return False
    if kind in (USER, MENTIONABLE):
        return f"@{OTHER}"
    if kind == CHANNEL:
        return DEFAULT_CHANNEL
    if kind == ROLE:
        return "participant"
    if kind == ATTACHMENT:
        return {"filename": "lista.csv", "content": HARMLESS_CSV}
    raise AssertionError(f"no harmless value for option type {kind}")


def required_values(leaf: Leaf, *, but: str | None = None) -> dict[str, Any]:
    """Harmless values for every required option of ``leaf`` except ``but``."""
    return {o["name"]: harmless(o) for o in leaf.options if o.get("required") and o["name"] != but}


def hostile_value(option: dict[str, Any], value: Any) -> Any:
    """``value`` as a member sends it through ``option``: typed, or as a file's line."""
    if option["type"] == ATTACHMENT:
        return {"filename": "lista.csv", "content": "email,name,country,hub_user\n" + value}
    return value


# -- refusals ----------------------------------------------------------------------------------
def _literals(template: str) -> tuple[str, ...]:
    """The fixed text of ``template`` around its fields (one more piece than fields)."""
    pieces = [""]
    for literal, field, _, _ in string.Formatter().parse(template):
        pieces[-1] += literal
        if field is not None:
            pieces.append("")
    return tuple(pieces)


@cache
def _refusals() -> tuple[tuple[str, ...], ...]:
    """Every message of an ``errors`` table of the catalogs, in every language, as its pieces."""
    templates = {
        template
        for language in LANGUAGES
        for key in catalogs().messages[language]
        if ".errors." in key
        for template in catalogs().forms(language, key)
    }
    return tuple(sorted(_literals(template) for template in templates))


def _fits(text: str, pieces: tuple[str, ...]) -> bool:
    """``text`` is ``pieces`` with something in between each (a linear scan: a regex of
    lazy wildcards backtracks for seconds on a 10,000-character reply)."""
    if len(pieces) == 1:
        return text == pieces[0]
    first, *middle, last = pieces
    if not text.startswith(first) or not text.endswith(last):
        return False
    position, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return position <= end


def is_refusal(text: str) -> bool:
    """``text`` is one of the bot's refusals (an ``*.errors.*`` catalog message)."""
    return any(_fits(text, pieces) for pieces in _refusals())


def reply_texts(outcome: StepOutcome) -> list[str]:
    texts = []
    for reply in outcome.replies:
        if reply.get("modal"):
            continue
        parts = [reply.get("content") or ""]
        for embed in reply.get("embeds") or []:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
        texts.append("\n".join(parts))
    return texts


def answered(outcome: StepOutcome) -> bool:
    """The member read something: a reply with text or an embed, or a form to fill."""
    return any(
        reply.get("modal") or reply.get("content") or reply.get("embeds") or reply.get("files")
        for reply in outcome.replies
    )


def refused(outcome: StepOutcome) -> bool:
    texts = reply_texts(outcome)
    return bool(texts) and all(is_refusal(text) for text in texts)


# -- pings -------------------------------------------------------------------------------------
# @everyone/@here not broken by a zero-width space, or a role mention.
_LIVE_PING = re.compile(r"(?<!\u200b)@(?:everyone|here)|<@&\d+>")


def pings(outcome: StepOutcome, members: set[str]) -> list[str]:
    """What in ``outcome`` pinged anyone but ``members``, or would have if allowed to: a
    message's resolved mentions, and live mention syntax in a public reply."""
    found = []
    for effect in outcome.effects:
        if effect["type"] not in ("message", "message_edited"):
            continue
        mentions = effect.get("mentions") or {}
        if mentions.get("everyone") or mentions.get("roles"):
            found.append(f"{effect['type']} in {effect.get('channel')}: {mentions}")
        strangers = set(mentions.get("users") or ()) - members
        if strangers:
            found.append(f"{effect['type']} in {effect.get('channel')} pings {strangers}")
    for reply in outcome.replies:
        content = reply.get("content") or ""
        if reply.get("ephemeral") is False and _LIVE_PING.search(content):
            found.append(f"public reply carries a live ping: {content[:120]!r}")
    return found


# -- the database, whole -----------------------------------------------------------------------
async def snapshot(sandbox: Sandbox) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    assert sandbox.bot is not None
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with sandbox.bot.db.read() as session:
        for table in Base.metadata.sorted_tables:
            result = await session.execute(select(table))
            rows[table.name] = sorted((tuple(row) for row in result), key=repr)
    return rows


_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)


class CommittedWrites:
    """The tables every committed transaction of the bot's engine wrote to, as it happens:
    statements of a transaction rolled back (a refusal raised inside ``db.write``) are
    forgotten, so what is left is what reached the database."""

    def __init__(self, sandbox: Sandbox) -> None:
        assert sandbox.bot is not None
        self._engines = [engine.sync_engine for engine in sandbox.bot.db.engines]
        self._pending: dict[int, list[str]] = {}
        self._committed: list[str] = []
        for engine in self._engines:
            event.listen(engine, "after_cursor_execute", self._executed)
            event.listen(engine, "commit", self._commit)
            event.listen(engine, "rollback", self._rollback)

    def close(self) -> None:
        for engine in self._engines:
            event.remove(engine, "after_cursor_execute", self._executed)
            event.remove(engine, "commit", self._commit)
            event.remove(engine, "rollback", self._rollback)

    def _executed(self, conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        match = _WRITE.match(statement)
        if match:
            self._pending.setdefault(id(conn), []).append(match[1])

    def _commit(self, conn: Connection) -> None:
        self._committed += self._pending.pop(id(conn), [])

    def _rollback(self, conn: Connection) -> None:
        self._pending.pop(id(conn), None)

    def take(self) -> list[str]:
        """The tables written since the last call, in order."""
        taken, self._committed = self._committed, []
        return taken


def invisible_in_store(rows: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """Stored text holding control, zero-width or bidi characters (newlines and tabs aside;
    and the bot's own ``@`` + zero-width space that turns an announcement's ``@everyone``
    into plain text)."""
    found = []
    for table, table_rows in rows.items():
        for row in table_rows:
            for value in row:
                if not isinstance(value, str):
                    continue
                if any(is_invisible(ch) for ch in value.replace(DEFANGED_AT, "@")):
                    found.append(f"{table}: {value[:80]!r}")
    return found


# -- every command, every hostile input -------------------------------------------------------
# What is driven and what is asserted: the docstring of test_hostile_commands_a.py.
SHARDS = 6  # the commands are spread over this many tests, balanced by their options
CAPTAIN = "cap"  # every role, captain of a team: reaches the most code behind each command
FREE = "ana"  # a participant without a team: for the commands that need one
MEMBERS = {
    CAPTAIN: ("participant", "mentor", "organizer"),
    FREE: ("participant",),
    OTHER: ("participant",),
}
# Commands only a member without a team gets past their first check with.
FOR_FREE_MEMBERS = ("team create", "team join", "lft ")
# Cooldowns off and attempts at their maximum: a hundred tries in a row must each reach the
# rules, not a limit.
NO_LIMITS = {
    "teams": {
        "create_cooldown": "0s",
        "lft_post_cooldown": "0s",
        "join_request_cooldown": "0s",
        "reinvite_cooldown": "0s",
    },
    "registration": {"max_attempts": 100},
}


# Tables a refused command may write on purpose: the language a member last used, the bot's
# own housekeeping, the count of failed verifications (what the attempt limit reads) and the
# audit line of who hit a limit.
BOOKKEEPING = ("member_locales", "bot_state", "verify_attempts", "audit_log")


def actor_of(leaf: Leaf) -> str:
    return FREE if leaf.path.startswith(FOR_FREE_MEMBERS) else CAPTAIN


class Findings:
    """Every broken promise of one shard, reported together."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.writes = CommittedWrites(sandbox)
        self.problems: list[str] = []
        self.steps = self.refusals = self.rejected = 0

    def forget(self) -> None:
        """Writes so far were not a hostile step's (setting up, opening a form)."""
        self.writes.take()

    def check(self, where: str, value: str, outcome: StepOutcome) -> None:
        self.steps += 1
        label = f"{where} <- {value[:60]!r}{'...' if len(value) > 60 else ''}"
        if outcome.errors:
            self.problems.append(f"{label}: errors {outcome.errors}")
        if not answered(outcome):
            self.problems.append(f"{label}: no answer {outcome.replies}")
        for ping in pings(outcome, set(MEMBERS)):
            self.problems.append(f"{label}: {ping}")
        written = [t for t in self.writes.take() if t not in BOOKKEEPING]
        if refused(outcome):
            self.refusals += 1
            if written:
                self.problems.append(f"{label}: refused, yet wrote to {written}")

    async def check_store(self, where: str) -> None:
        for stored in invisible_in_store(await snapshot(self.sandbox)):
            self.problems.append(f"after {where}: stored {stored}")


async def drive(
    findings: Findings,
    where: str,
    value: str,
    send: Callable[[], Awaitable[StepOutcome]],
    forge: Callable[[], Awaitable[StepOutcome]] | None,
) -> None:
    try:
        outcome = await send()
    except RejectedByDiscord:
        findings.rejected += 1
        if forge is None:
            return
        outcome = await forge()
        where += " (forged)"
    findings.check(where, value, outcome)


def edge_values(option: dict[str, Any], actor: str) -> list[Any]:
    """Values at the edges of a typed option: bounds and one past them (Discord refuses
    those; they are then forged), zero and signs, and the member naming themselves."""
    kind = option["type"]
    if option.get("choices"):
        return []
    if kind == INTEGER:
        low, high = option.get("min_value"), option.get("max_value")
        values: list[Any] = [0, -1, 1, 2**31, 2**53 - 1, -(2**53 - 1), 2**53]
        for bound in (low, high):
            if bound is not None:
                values += [int(bound) - 1, int(bound), int(bound) + 1]
        return list(dict.fromkeys(values))
    if kind == NUMBER:
        return [0, -0.0, 1e-300, 14.5, -12.5, 1e308, -1e308]
    if kind in (USER, MENTIONABLE):
        return [f"@{actor}", f"@{OTHER}"]
    if kind == BOOLEAN:
        return [True, False]
    return []


async def through_options(sandbox: Sandbox, findings: Findings, leaf: Leaf) -> None:
    """Every corpus input through each free-text and file option; edge values through each
    typed one."""
    actor = actor_of(leaf)
    aimed: list[tuple[dict[str, Any], list[Any]]] = [
        (option, list(corpus())) for option in leaf.text_options
    ]
    aimed += [(option, edge_values(option, actor)) for option in leaf.options]
    for option, values in aimed:
        name = option["name"]
        for value in values:
            given = {**required_values(leaf, but=name), name: hostile_value(option, value)}
            forged = {**given, name: harmless(option)}
            raw = {name: given[name]}

            async def send(given: dict[str, Any] = given) -> StepOutcome:
                return await sandbox.run(actor, leaf.path, given)

            async def forge(
                forged: dict[str, Any] = forged, raw: dict[str, Any] = raw
            ) -> StepOutcome:
                return await sandbox.forge(actor, leaf.path, forged, raw=raw)

            shown = value if isinstance(value, str) else repr(value)
            await drive(findings, f"/{leaf.path} {name}", shown, send, forge)


async def through_forms(sandbox: Sandbox, findings: Findings, leaf: Leaf) -> None:
    """The forms ``leaf`` opens with harmless options: every field gets every input, the form
    opened again before each."""
    actor = actor_of(leaf)
    opened = ok(await sandbox.run(actor, leaf.path, required_values(leaf)))
    forms = [reply["modal"] for reply in opened.replies if reply.get("modal")]
    for form in forms:
        fields = list(form["fields"])
        for index, field in enumerate(fields):
            for value in corpus():
                values = [HARMLESS_TEXT] * len(fields)
                values[index] = value

                async def send(values: list[str] = values) -> StepOutcome:
                    ok(await sandbox.run(actor, leaf.path, required_values(leaf)))
                    findings.forget()
                    return await sandbox.submit(actor, values)

                await drive(findings, f"/{leaf.path} form {field!r}", value, send, None)


def shard(leaves: list[Leaf], index: int, count: int = SHARDS) -> list[Leaf]:
    """The commands of shard ``index``: each command goes to the lightest shard so far,
    weighed by how many options it has for free text (longest-processing-time first)."""
    loads = [0] * count
    chosen: list[list[Leaf]] = [[] for _ in range(count)]
    for leaf in sorted(leaves, key=lambda leaf: (-len(leaf.text_options), leaf.path)):
        lightest = loads.index(min(loads))
        chosen[lightest].append(leaf)
        loads[lightest] += len(leaf.text_options) + 1
    return chosen[index]


async def hostile_shard(make_sandbox: MakeSandbox, index: int) -> None:
    """Every input of the corpus through every free-text option, file option and form field
    of the commands of shard ``index``; every broken promise reported at the end."""
    sandbox = await make_sandbox(members=MEMBERS, settings=NO_LIMITS)
    # What is proven here is what the bot does with the text, not how it paces its requests
    # (tests/sandbox and `make bench` cover Discord's rate limits).
    sandbox.discord.ratelimits.enabled = False
    ok(await sandbox.run(CAPTAIN, "team create", {"name": "Base"}))
    leaves = synced_leaves(sandbox)
    assert len(leaves) >= 40, [leaf.path for leaf in leaves]
    findings = Findings(sandbox)
    mine = shard(leaves, index)
    for leaf in mine:
        findings.forget()
        await through_options(sandbox, findings, leaf)
        await through_forms(sandbox, findings, leaf)
        await findings.check_store(f"/{leaf.path}")
    findings.writes.close()

    assert findings.problems == [], "\n".join(findings.problems[:40])
    assert mine and findings.steps > 0, "the shard drove nothing"
