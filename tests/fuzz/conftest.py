"""Reports how many inputs the fuzz tests generated (see tests/fuzz/profile.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.fuzz.profile import RANDOM, SCALE, TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:
        return
    mode = f"random, scale {SCALE:g}" if RANDOM else "derandomized, fixed seed"
    generated = {kind: count for kind, count in sorted(TALLY.items()) if kind != "examples"}
    inputs = sum(count for kind, count in generated.items() if not kind.startswith("checked"))
    parts = ", ".join(f"{count:,} {kind}" for kind, count in generated.items())
    terminalreporter.write_line(
        f"[fuzz] {TALLY['examples']:,} hypothesis examples ({mode}) generated {inputs:,} inputs: {parts}"
    )
    report = os.environ.get("CITEBOT_FUZZ_REPORT")
    if report:
        Path(report).parent.mkdir(parents=True, exist_ok=True)
        Path(report).write_text(json.dumps({"mode": mode, **dict(TALLY), "inputs": inputs}, indent=2) + "\n")
