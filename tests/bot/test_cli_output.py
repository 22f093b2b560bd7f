"""A reader that stops reading (`kring digest preview … | head -3`) is no failure."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from bot import cli
from bot.settings import Settings


class GoneReader(io.StringIO):
    """stdout after the reader at the other end of the pipe has exited."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self.fd = fd

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self) -> int:
        return self.fd


def printing(args: argparse.Namespace, settings: Settings) -> int:
    print("Your Kring digest")
    return 0


def broken_socket(args: argparse.Namespace, settings: Settings) -> int:
    raise BrokenPipeError(32, "Broken pipe")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env
    for name in ("DATABASE_URL", "KRING_ENV_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_output_nobody_reads_any_more_ends_quietly_with_exit_0(
    here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "cmd_digest_preview", printing)
    with open(here / "stdout", "w") as target:
        monkeypatch.setattr("sys.stdout", GoneReader(target.fileno()))
        assert cli.main(["digest", "preview", "U0ANNA"]) == 0
    assert capsys.readouterr().err == ""


def test_a_broken_pipe_elsewhere_is_still_a_failure(
    here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "cmd_digest_preview", broken_socket)
    assert cli.main(["digest", "preview", "U0ANNA"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kring: ") and err.count("\n") == 1
