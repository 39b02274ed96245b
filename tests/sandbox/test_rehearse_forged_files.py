"""`hackbot rehearse` given a forged scenario (issue #16, point 4): only regular files of a
sane size are read, each refusal is one clear line with exit status 2, and nothing a scenario
says reaches the terminal as an escape sequence."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

from bot.cli import main as cli_main
from sandbox.scenario import MAX_FILE_BYTES, printable
from tests.conftest import CONFIG, ROOT

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\r\u202eevil\x9b1m"


def rehearse(*args: str) -> subprocess.CompletedProcess[str]:
    argv = ["rehearse", *args]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(argv)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def refused_in_one_line(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert words in line, line


def test_a_device_is_refused_unread() -> None:
    refused_in_one_line(rehearse("/dev/zero"), "is not a regular file")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    refused_in_one_line(rehearse(str(fifo)), "is not a regular file")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    refused_in_one_line(rehearse(str(tmp_path)), "is a directory")


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    huge = tmp_path / "huge.toml"
    with huge.open("wb") as file:
        file.truncate(MAX_FILE_BYTES * 1024)  # sparse: a gigabyte that takes no disk
    refused_in_one_line(rehearse(str(huge)), f"at most {MAX_FILE_BYTES} are read")


def test_a_config_that_is_a_device_is_refused(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.toml"
    scenario.write_text('title = "x"\nconfig = "/dev/zero"\n', encoding="utf-8")
    refused_in_one_line(rehearse(str(scenario)), "config: /dev/zero: is not a regular file")


def test_a_missing_file_is_named_once(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    refused_in_one_line(rehearse(str(missing)), f"{missing}: file not found")


@pytest.mark.parametrize("json_lines", [False, True])
def test_escape_codes_in_a_title_are_shown_not_sent(tmp_path: Path, json_lines: bool) -> None:
    scenario = tmp_path / "scenario.toml"
    title = json.dumps(ESCAPES)  # a TOML basic string takes JSON's escapes
    scenario.write_text(
        f'title = {title}\nclock = "2024-03-20T10:00:00Z"\nconfig = "{CONFIG}"\n'
        f'[members.ana]\nroles = ["participant"]\n'
        f'[[steps]]\nas = "ana"\nrun = "team list"\n',
        encoding="utf-8",
    )

    result = rehearse(str(scenario), *(["--json"] if json_lines else []))

    assert result.returncode == 0, result.stderr
    for char in "\x1b\x07\r\x9b\u202e":
        assert char not in result.stdout
    if not json_lines:
        assert f"Rehearsal: {printable(ESCAPES)}" in result.stdout
        assert "\\x1b]0;pwned\\x07" in result.stdout
    else:
        for line in result.stdout.splitlines():
            json.loads(line)  # still valid JSON lines


def test_printable_keeps_text_and_shows_controls() -> None:
    assert printable("Día de ensayo 👩‍💻\n\tok") == "Día de ensayo 👩‍💻\n\tok"
    assert printable("a\x1b[2Jb\u202e") == "a\\x1b[2Jb\\u202e"
    assert printable("a\x9bb", json=True) == "a\\u009bb"
