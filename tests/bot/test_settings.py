"""Settings from the environment: a malformed one is one line naming it and what it must be, exit 2."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.bot.conftest import Ran


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("CITEBOT_COOLDOWN_SECONDS", "soon", "a number of seconds, 0 or more"),
        ("CITEBOT_COOLDOWN_SECONDS", "-1", "a number of seconds, 0 or more"),
        ("CITEBOT_SHUTDOWN_SECONDS", "inf", "a number of seconds, 0 or more"),
        ("CITEBOT_FEEDBACK_DAYS", "0", "a number of days, more than 0"),
        ("CITEBOT_FEEDBACK_DAYS", "nan", "a number of days, more than 0"),
        ("CITEBOT_GUILD_IDS", "12, my-server", "guild ids (numbers) separated by commas"),
        ("CITEBOT_SHARDS", "two", "a whole number of shards (or empty: one connection)"),
        ("CITEBOT_FOLLOW_OUTSIDE_LINKS", "maybe", "1 (read links out of the corpus) or 0"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it(
    name: str, value: str, says: str, citebot: Callable[..., Ran]
) -> None:
    """`citebot` with a malformed setting: exit 2 and one line naming the setting and what it must be."""
    result = citebot("ask", "Is Ballerina based on a true story?", env={name: value})
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line == f"citebot: error: {name} must be {says}"


def test_well_formed_settings_are_read(citebot: Callable[..., Ran]) -> None:
    """The same settings well formed (0 seconds, fractional days, ids with spaces) are accepted."""
    env = {
        "CITEBOT_COOLDOWN_SECONDS": "0",
        "CITEBOT_SHUTDOWN_SECONDS": "2.5",
        "CITEBOT_FEEDBACK_DAYS": "0.5",
        "CITEBOT_GUILD_IDS": "12, 34 56",
        "CITEBOT_FOLLOW_OUTSIDE_LINKS": "yes",
    }
    result = citebot("ask", "Is Ballerina based on a true story?", env=env)
    assert result.returncode == 0, result.stderr
