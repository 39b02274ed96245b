"""`hackbot run` when Discord or the database says no: one line, a documented exit status, no
traceback. Real failures only: a local Discord that checks tokens as Discord does, a port nothing
listens on, a PostgreSQL server without the named database."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from sandbox.discord import LocalDiscord
from tests.conftest import CONFIG, ROOT

# `hackbot run` with discord.py pointed at another Discord, as `use_local_discord` does for the
# sandbox: the process is the real CLI, only the API's base URL differs.
RUN_AGAINST = (
    "import sys, discord.http; discord.http.Route.BASE = sys.argv[1]; "
    "from bot.cli import main; raise SystemExit(main(sys.argv[2:]))"
)


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DATABASE_URL")}
    env.update(values)
    return env


async def run_against(api: str, tmp_path: Path, token: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN_AGAINST,
        api,
        "run",
        "--config",
        str(CONFIG),
        cwd=ROOT,
        env=environment(
            DISCORD_TOKEN=token, DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


def the_failure(stderr: str) -> str:
    """The one line that says what is wrong: the last, the only one from hackbot itself."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("hackbot:")] == [lines[-1]], stderr
    return lines[-1]


@pytest.fixture
async def discord_server() -> AsyncIterator[LocalDiscord]:
    server = LocalDiscord()
    guild = server.create_guild("SomosNLP", roles=["participante"], channels=[])
    server.create_bot(name="hackbot", guild_id=guild)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


async def test_run_with_a_token_discord_refuses(
    discord_server: LocalDiscord, tmp_path: Path
) -> None:
    code, stderr = await run_against(discord_server.base_url, tmp_path, "MTIz.not.the-token")
    line = the_failure(stderr)
    assert code == 4
    assert line.startswith("hackbot: Discord refused the token in DISCORD_TOKEN")
    assert "Reset Token" in line
    assert "MTIz.not.the-token" not in stderr


async def test_run_without_a_route_to_discord(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, stderr = await run_against(f"http://127.0.0.1:{port}/api/v10", tmp_path, "MTIz.a.b")
    line = the_failure(stderr)
    assert code == 5
    assert line.startswith(f"hackbot: cannot reach Discord at 127.0.0.1:{port}")
    assert "network, DNS, proxy or firewall" in line


@pytest.mark.database
def test_postgresql_without_the_database() -> None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("needs the PostgreSQL of TEST_DATABASE_URL (the PostgreSQL pass of make test)")
    name = f"hackbot_missing_{uuid.uuid4().hex[:8]}"
    missing = make_url(url).set(database=name).render_as_string(hide_password=False)
    env = environment(DATABASE_URL=missing, DISCORD_TOKEN="not-used")
    for args, code, prefix in (
        (["db", "upgrade"], 3, "hackbot: "),
        (["run"], 3, "hackbot: "),
        (["health"], 1, "unhealthy: "),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", *args, "--config", str(CONFIG)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
            check=False,
        )
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith(prefix) and f'has no database "{name}"; create it' in line, line
