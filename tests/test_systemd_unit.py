"""The systemd unit beside the README: valid for systemd, and it runs the bot the way the bot
expects to be stopped and restarted."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import PROJECT_ROOT

UNIT = PROJECT_ROOT / "citebot.service"
INSTALLED_AT = "/opt/citebot"


def settings_of(text: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_the_unit_restarts_on_failure_logs_to_the_journal_and_stops_with_sigterm() -> None:
    """Restart on failure (with a start limit), output to the journal, SIGTERM to stop with time to
    finish the answers in flight, and `citebot serve` from the project's own environment."""
    unit = settings_of(UNIT.read_text())
    assert unit["Restart"] == ["on-failure"]
    assert unit["StandardOutput"] == ["journal"] and unit["StandardError"] == ["journal"]
    assert unit["KillSignal"] == ["SIGTERM"]
    assert float(unit["TimeoutStopSec"][0]) > Settings().shutdown_grace_seconds + 5
    assert unit["ExecStart"] == [f"{INSTALLED_AT}/.venv/bin/citebot serve"]
    assert unit["WorkingDirectory"] == [INSTALLED_AT]  # where the bot reads .env from
    assert int(unit["StartLimitBurst"][0]) >= 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` finds no problem, with the unit's paths pointed at this checkout."""
    citebot = Path(sys.executable).parent / "citebot"
    if not citebot.exists():
        pytest.skip(f"the citebot command is not installed beside {sys.executable}")
    text = UNIT.read_text().replace(f"{INSTALLED_AT}/.venv/bin/citebot", str(citebot))
    local = tmp_path / "citebot.service"
    local.write_text(re.sub(re.escape(INSTALLED_AT), str(PROJECT_ROOT), text))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(local)], capture_output=True, text=True, timeout=60
    )
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "citebot" in line]
    assert result.returncode == 0 and problems == [], result.stdout + result.stderr
