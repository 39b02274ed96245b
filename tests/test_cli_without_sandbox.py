"""Production installs (the Docker image) leave the sandbox out: the commands that need it say
in one line how to install it, and the rest of the CLI does not need it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import CONFIG, ROOT

# Hide the sandbox package as an image without it would: importing it raises ModuleNotFoundError.
WITHOUT_SANDBOX = (
    "import sys; sys.modules['sandbox'] = None; "
    "from bot.cli import main; raise SystemExit(main(sys.argv[1:]))"
)


def hackbot_without_sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_SANDBOX, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_demo_and_rehearse_say_how_to_install_the_sandbox() -> None:
    for args in (["demo"], ["rehearse", "examples/demo.toml"]):
        result = hackbot_without_sandbox(*args)
        assert result.returncode == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "pip install 'hackbot[sandbox]'" in lines[0]


def test_check_config_and_commands_work_without_the_sandbox() -> None:
    assert hackbot_without_sandbox("check-config", str(CONFIG)).returncode == 0
    listed = hackbot_without_sandbox("commands", "--config", str(CONFIG))
    assert listed.returncode == 0, listed.stderr
    assert "/team create" in listed.stdout
