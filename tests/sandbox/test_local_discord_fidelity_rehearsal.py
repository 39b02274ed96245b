"""String options as a member types them (rehearsal-format, "How an option's value is read"):
the text is sent as written, except that a whole ``@handle`` of a member becomes ``<@id>``. So a
scenario can make members type ``@everyone`` or ``<@&1>``, and the bot, not the rehearsal,
decides what to do with it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import discord

from tests.conftest import CONFIG, ROOT

from .conftest import World, make_bot, start_bot

HOSTILE = ["@everyone", "@here", "<@&1>", "#general"]


async def test_string_options_arrive_as_typed_but_a_members_handle_becomes_a_mention(
    world: World,
) -> None:
    bot = make_bot()
    got: list[str] = []
    done = asyncio.Event()

    @bot.tree.command(name="say", description="Say", guild=discord.Object(world.guild_id))
    async def say(interaction: discord.Interaction, text: str) -> None:
        got.append(text)
        await interaction.response.send_message("ok", ephemeral=True)
        done.set()

    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    typed = [*HOSTILE, "@ana", "@nobody", "hola @ana"]
    for text in typed:
        done.clear()
        await world.server.run_command(world.guild_id, "bea", "say", {"text": text})
        await asyncio.wait_for(done.wait(), 2)
    ana = world.server.user_id("ana")
    assert got == [*HOSTILE, f"<@{ana}>", "@nobody", "hola @ana"]


def _rehearse(tmp_path: Path, body: str) -> list[dict[str, object]]:
    scenario = tmp_path / "names.toml"
    members = "".join(
        f'[members.{handle}]\nroles = ["participant"]\n\n'
        for handle in ("ana", "bea", "carlos", "dani", "eva")
    )
    header = f'title = "names"\nclock = "2024-03-20T10:00:00Z"\nconfig = "{CONFIG}"\n\n'
    scenario.write_text(header + members + body, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "rehearse", str(scenario), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:] + result.stdout[-2000:]
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_members_typing_mentions_as_a_team_name_are_answered_by_the_bot(tmp_path: Path) -> None:
    handles = ["ana", "bea", "carlos", "dani"]
    body = "".join(
        f'[[steps]]\nas = "{handle}"\nrun = "team create"\n'
        f"options = {{ name = {json.dumps(name)} }}\n\n"
        for handle, name in zip(handles, HOSTILE, strict=True)
    )
    body += '[[steps]]\nas = "eva"\nrun = "team list"\n'
    lines = _rehearse(tmp_path, body)
    steps, state = lines[:-1], lines[-1]["state"]
    assert len(steps) == 5
    for step in steps:
        assert step["errors"] == [], step
        replies = step["replies"]
        assert isinstance(replies, list) and replies, step
        assert all("rejected_by_discord" not in r for r in replies), step  # not the rehearsal
        for effect in step["effects"]:  # type: ignore[union-attr]
            mentions = effect.get("mentions")
            if mentions is not None:  # nothing the bot posted pings everyone or a role
                assert mentions["everyone"] is False and mentions["roles"] == [], effect
    # Each name is refused by the bot (no such team) or neutralized (the team exists, and
    # nothing above pinged anyone for it).
    created = {team["name"] for team in state["teams"]}  # type: ignore[index]
    refused = [name for name in HOSTILE if name not in created]
    print(f"refused by the bot: {refused}; created: {sorted(created)}")
