"""What the bot keeps: the answers it sent, the feedback on them, and the threads it opened.

One SQLite file (the standard library's sqlite3, WAL mode so that a maintainer can read
it with ``citebot feedback`` while the bot writes), created and migrated here: the
schema version is SQLite's ``user_version``, and each migration step runs once, in order.

No Discord user id is ever stored. A user is recorded as the HMAC-SHA256 of their id
under a per-install secret kept beside the database (``citebot.secret``, created on
first use, readable only by its owner): the same user always gets the same key, so
votes can be counted once per user and ``--forget`` can find a user's records, but
without the secret nobody can tell whose records they are, not even by hashing every
possible id.

This module never imports discord: the CLI uses it too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Report = Literal["wrong_quote", "wrong_stance", "should_not_answer"]
REPORTS: tuple[Report, ...] = ("wrong_quote", "wrong_stance", "should_not_answer")
# What a click can say (how each reads to a user: bot.wording.FEEDBACK_LABELS).
CHOICES: tuple[str, ...] = ("up", "down", *REPORTS)
SECRET_NAME = "citebot.secret"
DAY_SECONDS = 86_400

# Each entry upgrades the schema by one version; never edit a released step, add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE answers (
        key TEXT PRIMARY KEY,
        created_at REAL NOT NULL,
        kind TEXT NOT NULL,
        question TEXT NOT NULL,
        corpus TEXT,
        guild_id INTEGER,
        channel_id INTEGER,
        asked_by TEXT,
        answer TEXT NOT NULL
    );
    CREATE INDEX answers_created_at ON answers (created_at);
    CREATE INDEX answers_asked_by ON answers (asked_by);
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        answer_key TEXT NOT NULL REFERENCES answers (key) ON DELETE CASCADE,
        at REAL NOT NULL,
        choice TEXT NOT NULL,
        user_key TEXT NOT NULL
    );
    CREATE INDEX feedback_answer ON feedback (answer_key);
    CREATE INDEX feedback_user ON feedback (user_key);
    CREATE INDEX feedback_at ON feedback (at);
    CREATE TABLE threads (
        thread_id INTEGER PRIMARY KEY,
        answer_key TEXT NOT NULL,
        question TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE INDEX threads_answer ON threads (answer_key);
    """,
)


class StoreError(Exception):
    """The database cannot be opened or is not citebot's; the message says which file and why."""


@dataclass(frozen=True)
class Forgotten:
    feedback: int
    answers: int
    threads: int


@dataclass(frozen=True)
class Summary:
    answers: int
    clicks: int
    counts: dict[str, int]  # choice → latest choices (one vote per user and answer)
    most_down_voted: list[dict[str, Any]]


def new_answer_key() -> str:
    """A key for an answer: short enough for a component's custom_id, unguessable."""
    return secrets.token_urlsafe(9)


def load_secret(folder: Path) -> bytes:
    """The per-install HMAC secret, created (owner-only) on first use."""
    path = folder / SECRET_NAME
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    except ValueError as error:
        raise StoreError(f"{path} is not a citebot secret (delete it to make a new one)") from error
    secret = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return load_secret(folder)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secret.hex() + "\n")
    return secret


class Store:
    """The SQLite database. Thread-safe: one connection, one lock; every call is short."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.secret = load_secret(self.path.parent)
            new = not self.path.exists()
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            if new:
                # Questions people asked are theirs: the file (and, after it, its WAL) is the owner's only.
                os.chmod(self.path, 0o600)
        except FileExistsError:  # mkdir met a file where a folder of the path should be
            raise StoreError(
                f"cannot open the database {self.path}: a part of its folder path is a file, not a folder"
            ) from None
        except OSError as error:
            raise StoreError(f"cannot open the database {self.path}: {error.strerror or error}") from error
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the database {self.path}: {error}") from error
        self._lock = threading.Lock()
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self.migrate()
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreError(f"{self.path} is not a citebot database ({error})") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Bring the schema up to date, one version at a time, each step in one transaction."""
        with self._lock:
            version = self.schema_version
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{self.path} was written by a newer citebot (schema {version}); upgrade citebot"
                )
            for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
                # executescript commits first; the step and its version bump are one transaction.
                self._db.executescript(f"BEGIN;\n{step}\nPRAGMA user_version = {number};\nCOMMIT;")

    def user_key(self, user_id: int | str) -> str:
        """The HMAC of a Discord user id under this install's secret."""
        return hmac.new(self.secret, str(int(user_id)).encode(), hashlib.sha256).hexdigest()

    # --- writing ----------------------------------------------------------------

    def record_answer(
        self,
        key: str,
        *,
        kind: str,
        question: str,
        answer: dict[str, Any],
        asked_by: int | None,
        corpus: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        at: float | None = None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO answers (key, created_at, kind, question, corpus, guild_id, channel_id,"
                " asked_by, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    time.time() if at is None else at,
                    kind,
                    question,
                    corpus,
                    guild_id,
                    channel_id,
                    None if asked_by is None else self.user_key(asked_by),
                    json.dumps(answer, ensure_ascii=False),
                ),
            )

    def record_feedback(self, answer_key: str, choice: str, user_id: int, *, at: float | None = None) -> bool:
        """Store one click. False when the answer is unknown (never stored, or dropped as too old)."""
        if choice not in CHOICES:
            raise ValueError(f"unknown feedback choice {choice!r}")
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO feedback (answer_key, at, choice, user_key) VALUES (?, ?, ?, ?)",
                    (answer_key, time.time() if at is None else at, choice, self.user_key(user_id)),
                )
            except sqlite3.IntegrityError:  # the foreign key: no such answer
                return False
        return True

    def record_thread(self, thread_id: int, answer_key: str, question: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO threads (thread_id, answer_key, question, created_at)"
                " VALUES (?, ?, ?, ?)",
                (thread_id, answer_key, question, time.time()),
            )

    def forget(self, user_id: int | str) -> Forgotten:
        """Delete a user's clicks, the answers they asked (with every click on them) and
        the threads opened on those answers."""
        user = self.user_key(user_id)
        with self._lock:
            self._db.execute("BEGIN")
            asked = "SELECT key FROM answers WHERE asked_by = ?"
            threads = self._db.execute(f"DELETE FROM threads WHERE answer_key IN ({asked})", (user,)).rowcount
            own = self._db.execute("DELETE FROM feedback WHERE user_key = ?", (user,)).rowcount
            answers = self._db.execute("DELETE FROM answers WHERE asked_by = ?", (user,)).rowcount
            self._db.execute("COMMIT")
        return Forgotten(feedback=own, answers=answers, threads=threads)

    def prune(self, days: float, *, now: float | None = None) -> int:
        """Drop answers, clicks and threads older than ``days``; returns how many rows went."""
        cutoff = (time.time() if now is None else now) - days * DAY_SECONDS
        with self._lock:
            self._db.execute("BEGIN")
            removed = self._db.execute("DELETE FROM feedback WHERE at < ?", (cutoff,)).rowcount
            removed += self._db.execute("DELETE FROM threads WHERE created_at < ?", (cutoff,)).rowcount
            removed += self._db.execute("DELETE FROM answers WHERE created_at < ?", (cutoff,)).rowcount
            self._db.execute("COMMIT")
        return removed

    # --- reading ----------------------------------------------------------------

    def thread_question(self, thread_id: int) -> str | None:
        """The first question of a thread the bot opened, or None if it did not open it."""
        with self._lock:
            row = self._db.execute(
                "SELECT question FROM threads WHERE thread_id = ?", (thread_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def thread_of_answer(self, answer_key: str) -> int | None:
        with self._lock:
            row = self._db.execute(
                "SELECT thread_id FROM threads WHERE answer_key = ?", (answer_key,)
            ).fetchone()
        return None if row is None else int(row[0])

    def answer_question(self, key: str) -> str | None:
        """The question an answer was given to, or None if it is not (or no longer) stored."""
        with self._lock:
            row = self._db.execute("SELECT question FROM answers WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def has_answer(self, key: str) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM answers WHERE key = ?", (key,)).fetchone() is not None

    def count(self, table: Literal["answers", "feedback", "threads"]) -> int:
        with self._lock:
            return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def summary(self, *, since: float | None = None, top: int = 10) -> Summary:
        """Counts since ``since`` (a timestamp): each user's latest vote per answer counts once;
        each report counts once per user and answer. The most down-voted questions first."""
        start = since or 0.0
        latest_votes = """
            SELECT answer_key, choice FROM feedback AS f
            WHERE at >= :start AND choice IN ('up', 'down') AND id = (
                SELECT max(id) FROM feedback AS g
                WHERE g.answer_key = f.answer_key AND g.user_key = f.user_key AND g.choice IN ('up', 'down')
            )
        """
        reports = """
            SELECT DISTINCT answer_key, user_key, choice FROM feedback
            WHERE at >= :start AND choice NOT IN ('up', 'down')
        """
        with self._lock:
            params = {"start": start}
            answers = self._db.execute("SELECT count(*) FROM answers WHERE created_at >= :start", params)
            answer_count = int(answers.fetchone()[0])
            clicks = self._db.execute("SELECT count(*) FROM feedback WHERE at >= :start", params)
            click_count = int(clicks.fetchone()[0])
            counts = dict.fromkeys(CHOICES, 0)
            for choice, n in self._db.execute(
                f"SELECT choice, count(*) FROM ({latest_votes}) GROUP BY choice", params
            ):
                counts[choice] = n
            for choice, n in self._db.execute(
                f"SELECT choice, count(*) FROM ({reports}) GROUP BY choice", params
            ):
                counts[choice] = n
            rows = self._db.execute(
                f"""
                SELECT a.question, count(*) AS down, a.corpus, max(a.created_at)
                FROM ({latest_votes}) AS v JOIN answers AS a ON a.key = v.answer_key
                WHERE v.choice = 'down'
                GROUP BY a.question, a.corpus ORDER BY down DESC, a.question LIMIT :top
                """,
                {**params, "top": top},
            ).fetchall()
        worst = [{"question": q, "down_votes": n, "corpus": c} for q, n, c, _ in rows]
        return Summary(answers=answer_count, clicks=click_count, counts=counts, most_down_voted=worst)

    def export(self, *, since: float | None = None) -> Iterator[dict[str, Any]]:
        """Every click since ``since`` with the answer it rates, oldest first (JSON-ready)."""
        with self._lock:
            rows = self._db.execute(
                """
                SELECT f.at, f.choice, f.user_key, a.key, a.created_at, a.kind, a.question, a.corpus, a.answer
                FROM feedback AS f JOIN answers AS a ON a.key = f.answer_key
                WHERE f.at >= ? ORDER BY f.at, f.id
                """,
                (since or 0.0,),
            ).fetchall()
        for at, choice, user_key, key, created_at, kind, question, corpus, answer in rows:
            yield {
                "at": iso(at),
                "choice": choice,
                "user": user_key,
                "answer_key": key,
                "answered_at": iso(created_at),
                "kind": kind,
                "question": question,
                "corpus": corpus,
                "answer": json.loads(answer),
            }


def iso(timestamp: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
