"""The `kring` command line as its own process, as an operator or cron runs it against the
database of a running Kring and the stand-in Slack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from standin.harness import BOT_TOKEN, SIGNING_SECRET
from standin.slack import StandinSlack

REPO = Path(__file__).resolve().parents[2]


def kring_cli(
    db_url: str, standin: StandinSlack, cwd: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run ``kring <args>`` with only the settings given here (none from the environment or a
    .env file), the scheduler off, and return what it printed."""
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "KRING_", "DATABASE"))
        },
        "PYTHONPATH": str(REPO),
        "KRING_ENV_FILE": str(cwd / "absent.env"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": db_url,
        "KRING_SCHEDULER": "off",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
