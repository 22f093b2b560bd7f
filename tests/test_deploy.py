"""The systemd unit under deploy/ is one that systemd accepts, and runs what the README says."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNIT = REPO / "deploy" / "kring.service"
INSTALL_DIR = "/opt/kring"


def test_the_unit_runs_kring_run_and_does_not_restart_on_a_wrong_setting() -> None:
    lines = UNIT.read_text().splitlines()
    assert f"ExecStart={INSTALL_DIR}/.venv/bin/kring run" in lines
    assert "RestartPreventExitStatus=2" in lines
    assert "User=kring" in lines


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (it comes with systemd)")
    # verify insists that ExecStart's program exists: stand a script in for the installed
    # kring, at the same place relative to the install directory.
    install = tmp_path / "kring"
    program = install / ".venv" / "bin" / "kring"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    unit = tmp_path / "units" / "kring.service"
    unit.parent.mkdir()
    unit.write_text(UNIT.read_text().replace(INSTALL_DIR, str(install)))
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    # systemd reports an unknown key or a malformed value on stderr and still exits 0.
    assert (done.returncode, done.stderr.strip()) == (0, ""), done.stderr
