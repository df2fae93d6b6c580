"""Which corpus answers where: named corpora, assigned to servers and channels by a TOML file.

    [corpora]
    films = "corpora/films"
    science = "corpora/science"

    [guilds."123456789012345678"]
    corpus = "films"

    [channels."234567890123456789"]
    corpus = "science"

A channel's assignment wins over its server's (a thread follows its parent channel);
DMs and everything unassigned use the default corpus (``CITEBOT_CORPUS``). Relative
paths are relative to the TOML file's folder. Each corpus is loaded once and shared by
every server and channel assigned to it.

Read with the standard library's tomllib.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

DEFAULT_NAME = "default"
# Names travel in components' custom_ids (at most 100 characters in all): short and plain.
NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")


class ConfigError(ValueError):
    """The corpus configuration is wrong; the message names the file and the problem."""


@dataclass(frozen=True)
class CorpusConfig:
    """Corpus names → paths, and the assignments of servers and channels to them."""

    corpora: dict[str, Path]
    default: str
    guilds: dict[int, str] = field(default_factory=dict)
    channels: dict[int, str] = field(default_factory=dict)


def _snowflake(raw: str, table: str, path: Path) -> int:
    if not raw.isdigit():
        raise ConfigError(f'{path}: [{table}."{raw}"] must be a {table[:-1]} id (a number)')
    return int(raw)


def _assignments(data: dict[str, Any], table: str, names: set[str], path: Path) -> dict[int, str]:
    section = data.get(table, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [{table}] must be a table of {table[:-1]} ids")
    assigned = {}
    for raw, entry in section.items():
        key = _snowflake(str(raw), table, path)
        corpus = entry.get("corpus") if isinstance(entry, dict) else None
        if not isinstance(corpus, str):
            raise ConfigError(f'{path}: [{table}."{raw}"] needs corpus = "<name>"')
        if corpus not in names:
            known = ", ".join(sorted(names))
            raise ConfigError(
                f'{path}: [{table}."{raw}"] names corpus "{corpus}", which [corpora] lacks ({known})'
            )
        assigned[key] = corpus
    return assigned


def load_config(path: Path | None, default_corpus: Path) -> CorpusConfig:
    """The configuration in ``path`` (None: the default corpus everywhere). Raises ConfigError."""
    default_path = default_corpus.expanduser().resolve()
    if path is None:
        return CorpusConfig(corpora={DEFAULT_NAME: default_path}, default=DEFAULT_NAME)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (CITEBOT_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read it ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    unknown = set(data) - {"corpora", "guilds", "channels"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown table(s) {', '.join(sorted(unknown))} (expected corpora, guilds, channels)"
        )
    section = data.get("corpora", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [corpora] must map names to folders")
    corpora: dict[str, Path] = {}
    for name, folder in section.items():
        if not NAME.fullmatch(name):
            raise ConfigError(f'{path}: corpus name "{name}" must be 1-32 letters, digits, "-" or "_"')
        if not isinstance(folder, str) or not folder.strip():
            raise ConfigError(f'{path}: corpus "{name}" must be a folder path (a string)')
        corpora[name] = (path.parent / Path(folder).expanduser()).resolve()
    # The default corpus keeps the name of a configured corpus with the same folder.
    default = next((name for name, folder in corpora.items() if folder == default_path), None)
    if default is None:
        default = DEFAULT_NAME if DEFAULT_NAME not in corpora else "default-corpus"
        corpora[default] = default_path
    names = set(corpora)
    return CorpusConfig(
        corpora=corpora,
        default=default,
        guilds=_assignments(data, "guilds", names, path),
        channels=_assignments(data, "channels", names, path),
    )


class HasEngine(Protocol):
    """A loaded corpus: its current engine (a LiveCorpus, or a fixed one in tests)."""

    @property
    def engine(self) -> Any: ...


C = TypeVar("C", bound=HasEngine)


@dataclass
class Corpora(Generic[C]):
    """The loaded corpora and who uses which."""

    config: CorpusConfig
    loaded: Mapping[str, C]

    @property
    def several(self) -> bool:
        """Whether more than one corpus is in use (then answers name theirs)."""
        return len({id(corpus) for corpus in self.loaded.values()}) > 1

    def name_for(self, guild_id: int | None, channel_id: int | None, parent_id: int | None = None) -> str:
        """The corpus for a place: the channel's (a thread's parent's), else the server's, else default."""
        for channel in (channel_id, parent_id):
            if channel is not None and channel in self.config.channels:
                return self.config.channels[channel]
        if guild_id is not None and guild_id in self.config.guilds:
            return self.config.guilds[guild_id]
        return self.config.default

    def get(self, name: str) -> C | None:
        return self.loaded.get(name)

    @classmethod
    def load(cls, config: CorpusConfig, open_corpus: Callable[[str, Path], C]) -> Corpora[C]:
        """Open each configured corpus once (``open_corpus(name, folder)``): names for the
        same folder share one."""
        by_folder: dict[Path, C] = {}
        loaded = {}
        for name, folder in config.corpora.items():
            if folder not in by_folder:
                by_folder[folder] = open_corpus(name, folder)
            loaded[name] = by_folder[folder]
        return cls(config=config, loaded=loaded)


@dataclass
class FixedCorpus:
    """A corpus that never changes: one engine (for tests and the offline harness)."""

    engine: Any
