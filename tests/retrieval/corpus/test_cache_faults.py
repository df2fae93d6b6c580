"""The saved index under pressure: a full disk, and several processes building it at once."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from retrieval.corpus.store import IndexStore
from retrieval.engine import Engine
from tests.conftest import DEFAULT_CORPUS, PROJECT_ROOT

# A child that may write files of at most 1 MiB (the index needs more), as on a nearly full disk:
# past the limit, write() fails with EFBIG and numpy reports a short write with no errno.
SMALL_DISK = """
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, resource.RLIM_INFINITY))
os.execv(sys.executable, [sys.executable, "-m", "bot.cli", *sys.argv[1:]])
"""


def test_a_full_disk_is_one_warning_that_says_why(tmp_path: Path) -> None:
    """Saving the index fails for lack of room: the answer still comes, with one warning that
    names the reason (never "None"), and nothing half-written is left as an entry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "DISCORD_"))}
    env["CITEBOT_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run(
        [sys.executable, "-c", SMALL_DISK, "ask", "Is Ballerina based on a true story?"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Nth Room" in result.stdout
    [warning] = result.stderr.strip().splitlines()
    assert "could not save the index" in warning and "(None)" not in warning
    assert "the disk full" in warning
    assert list((tmp_path / "cache").iterdir()) == []


def _build(corpus: Path, cache: Path, start_at: float) -> list[str]:
    while time.time() < start_at:  # start together, so the saves overlap
        time.sleep(0.001)
    warnings: list[str] = []
    Engine.from_path(corpus, cache_dir=cache, warn=warnings.append)
    return warnings


def test_processes_racing_to_save_the_same_index_do_not_warn(tmp_path: Path) -> None:
    """Six processes build the same corpus's index into one cache at the same moment, three
    times: none warns that saving failed, and one valid entry is left."""
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS, corpus, ignore=shutil.ignore_patterns(".citebot-cache"))
    context = multiprocessing.get_context("fork")
    for attempt in range(3):
        cache = tmp_path / f"cache{attempt}"
        with context.Pool(6) as pool:
            start_at = time.time() + 0.5
            warnings = pool.starmap(_build, [(corpus, cache, start_at)] * 6)
        assert [w for w in warnings if w] == []
        [_folder] = list(cache.iterdir())  # one folder for the corpus
        loaded = IndexStore(corpus, cache_dir=cache, warn=lambda message: None).load_current()
        assert loaded is not None and len(loaded.documents) == 2
