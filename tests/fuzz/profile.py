"""How hard the fuzz tests try, and how many inputs they generated.

`make test` runs them with the ``ci`` profile: hypothesis derandomized (the same inputs every
run, from a fixed seed), few examples, so a random find never blocks CI and the whole set
stays well under a minute. `make fuzz` sets ``CITEBOT_FUZZ=random``: fresh random inputs and
``CITEBOT_FUZZ_SCALE`` (default 25) times as many examples, failures kept in
``.hypothesis/`` to be replayed first next time.

Each test tallies what it generated (batch lines, corpus folders and files, rendered
texts...); the totals are printed at the end of the run, and written as JSON to
``CITEBOT_FUZZ_REPORT`` when that is set.
"""

from __future__ import annotations

import os
from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

RANDOM = os.environ.get("CITEBOT_FUZZ", "").strip().lower() == "random"
SCALE = float(os.environ.get("CITEBOT_FUZZ_SCALE", "25")) if RANDOM else 1.0

settings.register_profile(
    "citebot-ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "citebot-fuzz",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(".hypothesis/citebot-fuzz"),
    deadline=None,
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)
BASE = settings.get_profile("citebot-fuzz" if RANDOM else "citebot-ci")
# Seconds a fuzz test may run before pytest-timeout stops it (it grows with the examples).
TIMEOUT = round(300 * SCALE)

# What the fuzz tests generated in this run, by kind; "examples" counts hypothesis examples and
# kinds starting with "checked" count outputs checked, not inputs.
TALLY: Counter[str] = Counter()


def fuzz(examples: int) -> settings:
    """The settings for a fuzz test that runs ``examples`` examples under `make test`."""
    return settings(BASE, max_examples=max(1, round(examples * SCALE)))


def tally(kind: str, count: int = 1) -> None:
    TALLY[kind] += count
