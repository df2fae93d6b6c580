"""Settings, read from the environment or a ``.env`` file (python-dotenv).

Every setting is listed, with its meaning, in ``.env.example``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs
from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "corpus"
DATABASE_NAME = "citebot.sqlite3"


def default_database() -> Path:
    """The database in the user data folder (platformdirs: ~/.local/share/citebot on Linux)."""
    return platformdirs.user_data_path("citebot", appauthor=False) / DATABASE_NAME


_YES = frozenset({"1", "true", "yes", "on"})
_NO = frozenset({"", "0", "false", "no", "off"})


def _int_list(raw: str) -> tuple[int, ...]:
    return tuple(int(part) for part in raw.replace(",", " ").split())


@dataclass(frozen=True)
class Settings:
    corpus: Path = DEFAULT_CORPUS
    cache_dir: Path | None = None
    # repr=False: a Settings object may be logged, the token never.
    discord_token: str | None = field(default=None, repr=False)
    guild_ids: tuple[int, ...] = ()
    shards: int | None = None
    api_base_url: str | None = None
    gateway_url: str | None = None
    cooldown_seconds: float = 5.0
    max_sources: int = 5
    # The SQLite file of answers, feedback and threads; None: default_database().
    database: Path | None = None
    feedback_days: float = 365.0
    # The TOML file naming corpora and assigning them to servers and channels.
    config: Path | None = None

    # Read files that symbolic links in the corpus point to outside the corpus folder.
    follow_outside_links: bool = False
    # On SIGTERM or Ctrl-C, how long answers in flight may take to finish before the bot stops.
    shutdown_grace_seconds: float = 8.0

    @property
    def database_path(self) -> Path:
        return self.database or default_database()

    @property
    def corpora(self) -> dict[str, Path]:
        """The named corpora of CITEBOT_CONFIG (with the default one), for ``--corpus NAME``;
        empty without a config. Raises SettingsError naming the problem in a bad config."""
        from bot.corpora import ConfigError, load_config

        if self.config is None:
            return {}
        try:
            return dict(load_config(self.config, self.corpus).corpora)
        except ConfigError as error:
            message = str(error)
            raise SettingsError(
                message if "CITEBOT_CONFIG" in message else f"{message} (CITEBOT_CONFIG)"
            ) from error


class SettingsError(ValueError):
    """A setting is present but malformed; the message names it."""


def _number(env: Mapping[str, str], name: str, default: float, *, unit: str, positive: bool = False) -> float:
    """A setting that is a finite number of ``unit``: 0 or more, or more than 0 when ``positive``."""
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (positive and value == 0):  # nan is not finite
        bound = "more than 0" if positive else "0 or more"
        raise SettingsError(f"{name} must be a number of {unit}, {bound}")
    return value


def load_settings(env_file: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from the environment, after loading ``.env`` (the environment wins)."""
    load_dotenv(env_file or Path.cwd() / ".env", override=False)
    env = os.environ
    try:
        guild_ids = _int_list(env.get("CITEBOT_GUILD_IDS", ""))
    except ValueError as error:
        raise SettingsError("CITEBOT_GUILD_IDS must be guild ids (numbers) separated by commas") from error
    shards_raw = env.get("CITEBOT_SHARDS", "").strip()
    if shards_raw and not shards_raw.isdigit():
        raise SettingsError("CITEBOT_SHARDS must be a whole number of shards (or empty: one connection)")
    cooldown = _number(env, "CITEBOT_COOLDOWN_SECONDS", Settings.cooldown_seconds, unit="seconds")
    grace = _number(env, "CITEBOT_SHUTDOWN_SECONDS", Settings.shutdown_grace_seconds, unit="seconds")
    days = _number(env, "CITEBOT_FEEDBACK_DAYS", Settings.feedback_days, unit="days", positive=True)
    cache_raw = env.get("CITEBOT_CACHE_DIR", "").strip()
    database_raw = env.get("CITEBOT_DB", "").strip()
    config_raw = env.get("CITEBOT_CONFIG", "").strip()
    links_raw = env.get("CITEBOT_FOLLOW_OUTSIDE_LINKS", "").strip().lower()
    if links_raw not in _YES | _NO:
        raise SettingsError("CITEBOT_FOLLOW_OUTSIDE_LINKS must be 1 (read links out of the corpus) or 0")
    return Settings(
        corpus=Path(env.get("CITEBOT_CORPUS", "").strip() or DEFAULT_CORPUS),
        cache_dir=Path(cache_raw) if cache_raw else None,
        discord_token=env.get("DISCORD_TOKEN", "").strip() or None,
        guild_ids=guild_ids,
        shards=int(shards_raw) if shards_raw else None,
        api_base_url=env.get("DISCORD_API_BASE_URL", "").strip() or None,
        gateway_url=env.get("DISCORD_GATEWAY_URL", "").strip() or None,
        cooldown_seconds=cooldown,
        database=Path(database_raw).expanduser() if database_raw else None,
        feedback_days=days,
        config=Path(config_raw).expanduser() if config_raw else None,
        follow_outside_links=links_raw in _YES,
        shutdown_grace_seconds=grace,
    )
