"""Settings, read from the environment or a ``.env`` file (python-dotenv).

Every setting is listed, with its meaning, in ``.env.example``.
"""

from __future__ import annotations

import math
import os
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
            raise SettingsError(f"{error} (CITEBOT_CONFIG)") from error

    # Read files that symbolic links in the corpus point to outside the corpus folder.
    follow_outside_links: bool = False
    # On SIGTERM or Ctrl-C, how long answers in flight may take to finish before the bot stops.
    shutdown_grace_seconds: float = 8.0


class SettingsError(ValueError):
    """A setting is present but malformed; the message names it."""


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
        raise SettingsError("CITEBOT_SHARDS must be a whole number of shards (or 'auto' left empty)")
    cooldown_raw = env.get("CITEBOT_COOLDOWN_SECONDS", "").strip()
    try:
        cooldown = float(cooldown_raw) if cooldown_raw else Settings.cooldown_seconds
    except ValueError:
        cooldown = math.nan
    if not 0 <= cooldown < math.inf:  # also refuses nan
        raise SettingsError("CITEBOT_COOLDOWN_SECONDS must be a number of seconds, 0 or more")
    grace_raw = env.get("CITEBOT_SHUTDOWN_SECONDS", "").strip()
    try:
        grace = float(grace_raw) if grace_raw else Settings.shutdown_grace_seconds
    except ValueError:
        grace = math.nan
    if not 0 <= grace < math.inf:
        raise SettingsError("CITEBOT_SHUTDOWN_SECONDS must be a number of seconds, 0 or more")
    days_raw = env.get("CITEBOT_FEEDBACK_DAYS", "").strip()
    try:
        days = float(days_raw) if days_raw else Settings.feedback_days
    except ValueError:
        days = math.nan
    if not 0 < days < math.inf:
        raise SettingsError("CITEBOT_FEEDBACK_DAYS must be a number of days, more than 0")
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
