"""`citebot feedback`: what users thought of the answers, for maintainers.

    citebot feedback                     # counts and the most down-voted questions
    citebot feedback --since 2024-06-01  # the same, from that day on
    citebot feedback --json              # every click with the answer it rates, as JSON lines
    citebot feedback --forget USER_ID    # delete everything stored about one Discord user

Records older than CITEBOT_FEEDBACK_DAYS are dropped first, as the bot does daily.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.settings import Settings
from bot.store import REPORTS, Store, StoreError
from bot.wording import FEEDBACK_LABELS, counted


class FeedbackError(Exception):
    """A problem the user can fix; one line, exit code 2."""


def _since(raw: str) -> float:
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {raw!r} (use YYYY-MM-DD)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _user_id(raw: str) -> int:
    if not raw.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not a Discord user id: {raw!r} (a number)")
    return int(raw)


def add_parser(commands: Any) -> None:
    feedback = commands.add_parser(
        "feedback", help="feedback on the bot's answers: counts, worst questions, export, forget a user"
    )
    # Reading (counts, or --json) and forgetting are different jobs: one at a time.
    what = feedback.add_mutually_exclusive_group()
    what.add_argument("--json", action="store_true", help="export every click with its answer as JSON lines")
    what.add_argument(
        "--forget",
        type=_user_id,
        metavar="USER_ID",
        help="delete all of a Discord user's clicks and the answers they asked",
    )
    feedback.add_argument(
        "--since",
        type=_since,
        metavar="DATE",
        help="only records from DATE on (YYYY-MM-DD; not with --forget)",
    )


def run(arguments: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    if arguments.forget is not None and arguments.since is not None:
        raise FeedbackError("--forget deletes all of a user's records: --since does not apply to it")
    path = settings.database_path
    if not path.exists():
        # Reading (or forgetting) must not create a database where there is none.
        if not arguments.json:
            out.write(f"No feedback recorded yet: there is no database at {path} (CITEBOT_DB).\n")
        return 0
    try:
        store = Store(path)
    except StoreError as error:
        raise FeedbackError(str(error)) from error
    try:
        store.prune(settings.feedback_days)
        if arguments.forget is not None:
            forgotten = store.forget(arguments.forget)
            out.write(
                f"Forgot user {arguments.forget}: {forgotten.feedback} clicks, {forgotten.answers} answers "
                f"they asked (with the clicks on them), {forgotten.threads} threads.\n"
            )
        elif arguments.json:
            for record in store.export(since=arguments.since):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.write(report(store, arguments.since, settings.feedback_days))
    finally:
        store.close()
    return 0


def report(store: Store, since: float | None, days: float) -> str:
    summary = store.summary(since=since)
    counts = summary.counts
    period = f"since {datetime.fromtimestamp(since, UTC):%Y-%m-%d}" if since else f"in the last {days:g} days"
    lines = [
        f"Feedback {period}: {counted(summary.answers, 'answer')} sent, {counted(summary.clicks, 'click')}.",
        f"  👍 {counts['up']:,}   👎 {counts['down']:,}   (each user's latest vote on an answer)",
        "  Reports: "
        + " · ".join(f"{FEEDBACK_LABELS[report].lower()} {counts[report]:,}" for report in REPORTS),
    ]
    if summary.most_down_voted:
        lines.append("Most down-voted questions:")
        for row in summary.most_down_voted:
            corpus = f" [{row['corpus']}]" if row["corpus"] else ""
            lines.append(f"  {row['down_votes']:>4} 👎  {row['question']}{corpus}")
    return "\n".join(lines) + "\n"
