"""The SQLite store on a real file: schema and migration, keyed user ids, retention, forgetting."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

import pytest

from bot.store import DAY_SECONDS, MIGRATIONS, SECRET_NAME, Store, StoreError


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "citebot.sqlite3")


def answer(
    store: Store, key: str, *, asked_by: int = 1, at: float | None = None, question: str = "Q?"
) -> None:
    store.record_answer(
        key, kind="question", question=question, answer={"question": question}, asked_by=asked_by, at=at
    )


def test_schema_is_created_in_wal_mode_at_the_latest_version(store: Store) -> None:
    """A new database: WAL journal, every migration applied, foreign keys on."""
    assert store.schema_version == len(MIGRATIONS)
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"answers", "feedback", "threads"} <= tables


def test_an_older_database_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    """A database at schema 0 with a row of its own is brought up to date without losing that row."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.execute("INSERT INTO notes VALUES ('kept')")
    store = Store(path)
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT text FROM notes").fetchall() == [("kept",)]


def test_a_newer_or_foreign_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    """A database from a newer citebot, a file that is no database, or a path through a file:
    StoreError naming the file and the problem."""
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(StoreError, match="newer citebot"):
        Store(newer)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all " * 100)
    with pytest.raises(StoreError, match=r"junk\.sqlite3"):
        Store(junk)

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with pytest.raises(StoreError, match="a part of its folder path is a file"):
        Store(blocked / "citebot.sqlite3")


def test_users_are_keyed_with_a_per_install_secret(tmp_path: Path) -> None:
    """The stored user is an HMAC: stable for one install (the secret persists, owner-only), different
    for another install, and neither the id nor a plain hash of it."""
    first = Store(tmp_path / "one" / "citebot.sqlite3")
    key = first.user_key(123456789012345678)
    assert Store(tmp_path / "one" / "citebot.sqlite3").user_key(123456789012345678) == key
    assert Store(tmp_path / "two" / "citebot.sqlite3").user_key(123456789012345678) != key
    assert "123456789012345678" not in key and key != hashlib.sha256(b"123456789012345678").hexdigest()
    assert (tmp_path / "one" / SECRET_NAME).stat().st_mode & 0o777 == 0o600


def test_summary_counts_each_users_latest_vote(store: Store) -> None:
    """Votes: one per user and answer (the latest); reports: once per user; most down-voted first."""
    answer(store, "a", question="Good?")
    answer(store, "b", question="Bad?")
    for user in (1, 2):
        store.record_feedback("b", "down", user)
    store.record_feedback("a", "down", 1)
    store.record_feedback("a", "up", 1)  # changed their mind
    store.record_feedback("a", "wrong_quote", 3)
    store.record_feedback("a", "wrong_quote", 3)
    summary = store.summary()
    assert summary.clicks == 6 and summary.answers == 2
    assert summary.counts["up"] == 1 and summary.counts["down"] == 2 and summary.counts["wrong_quote"] == 1
    assert summary.most_down_voted[0] == {"question": "Bad?", "down_votes": 2, "corpus": None}
    assert not store.record_feedback("missing", "up", 1)  # no such answer: nothing stored
    assert store.count("feedback") == 6


def test_old_records_are_dropped_and_a_user_can_be_forgotten(store: Store) -> None:
    """prune(days) drops answers, clicks and threads older than that; forget(user) deletes their clicks and
    the answers they asked, with every click and thread on them."""
    old = time.time() - 400 * DAY_SECONDS
    answer(store, "old", at=old)
    store.record_feedback("old", "up", 5, at=old)
    answer(store, "new", asked_by=7)
    store.record_feedback("new", "up", 5)
    store.record_feedback("new", "down", 8)
    store.record_thread(99, "new", "Q?")
    assert store.prune(365) == 2
    assert not store.has_answer("old") and store.has_answer("new")
    forgotten = store.forget(7)
    assert (forgotten.answers, forgotten.threads, forgotten.feedback) == (1, 1, 0)
    assert store.count("feedback") == 0 and store.thread_question(99) is None
