"""A corpus per server or channel, from the TOML file CITEBOT_CONFIG, end to end."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.app import open_corpora, serve
from bot.cli import main
from bot.corpora import Corpora, FixedCorpus, load_config
from bot.settings import Settings
from tests.bot.conftest import StartBot, bot_settings
from tests.conftest import DEFAULT_CORPUS
from tests.discord_server import FakeDiscord

pytestmark = pytest.mark.timeout(60)

SCIENCE = "Do octopuses have three hearts?"


@pytest.fixture
def science_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpora" / "science"
    folder.mkdir(parents=True)
    (folder / "octopus.md").write_text(
        "---\ntitle: The octopus heart\npublisher: Marine Notes\n---\n"
        "An octopus has three hearts: two pump blood through the gills, one through the body.\n",
        encoding="utf-8",
    )
    return folder


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "citebot.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_two_channels_answer_from_two_corpora(
    start_bot: StartBot, discord_server: FakeDiscord, science_corpus: Path, tmp_path: Path
) -> None:
    """A channel assigned "science" answers /ask, /sources, /source and Check sources from it and names
    it, and /reload there updates "science"; the server's other channels use the server's "films"; a DM
    uses the default corpus. Each corpus is loaded once."""
    lab = discord_server.add_text_channel("lab")
    config = write_config(
        tmp_path,
        f'[corpora]\nfilms = "{DEFAULT_CORPUS}"\nscience = "corpora/science"\n\n'
        f'[guilds."{discord_server.guild_id}"]\ncorpus = "films"\n\n'
        f'[channels."{lab}"]\ncorpus = "science"\n',
    )
    settings = Settings(config=config, corpus=DEFAULT_CORPUS, cache_dir=tmp_path / "cache")
    corpora = open_corpora(settings)
    assert set(corpora.loaded) == {"films", "science"}  # the default corpus is "films" (same folder)
    bot = await start_bot(corpora=corpora, config=config)
    for watcher in bot.get_cog("Reload").watchers:  # /reload is tested here, the watcher in test_reload
        watcher.cancel()

    in_lab = await discord_server.slash("ask", question=SCIENCE, where={"channel_id": lab})
    in_general = await discord_server.slash("ask", question=SCIENCE)
    [lab_reply] = await discord_server.replies(in_lab)
    [general_reply] = await discord_server.replies(in_general)
    assert "*Corpus:* **science**" in lab_reply["content"] and "three hearts" in lab_reply["content"]
    assert "*Corpus:* **films**" in general_reply["content"]
    assert general_reply["content"].splitlines()[1].startswith("**No source in the corpus covers")

    sources = await discord_server.slash("sources", where={"channel_id": lab})
    [listing] = await discord_server.replies(sources)
    assert (
        listing["content"].startswith("**The corpus: 1 document**")
        and "The octopus heart" in listing["content"]
    )

    typing = await discord_server.autocomplete("source", "name", "octopus", channel_id=lab)
    await discord_server.callback(typing)
    assert typing.choices == [{"name": "The octopus heart", "value": "octopus.md"}]
    elsewhere = await discord_server.autocomplete("source", "name", "octopus")
    await discord_server.callback(elsewhere)
    assert elsewhere.choices == []
    target = discord_server.guild_message("Octopuses have three hearts.")
    target["channel_id"] = str(lab)
    check = await discord_server.message_command("Check sources", target)
    [checked] = await discord_server.replies(check)
    assert "*Corpus:* **science**" in checked["content"] and "three hearts" in checked["content"]

    user = discord_server.new_user("dm-user")
    channel_id = await discord_server.direct_message(user, "Is Ballerina based on a true story?")
    [dm] = await discord_server.posts(channel_id)
    assert "*Corpus:* **films**" in dm["content"] and "The sources disagree" in dm["content"]

    (science_corpus / "squid.md").write_text("Squids\n\nA squid also has three hearts.\n", encoding="utf-8")
    [lab_reload] = await discord_server.replies(
        await discord_server.slash("reload", where={"channel_id": lab})
    )
    assert lab_reload["content"].startswith(
        "🔄 Reloaded the corpus **science**: 1 added (squid.md); now 2 documents"
    )
    [general_reload] = await discord_server.replies(await discord_server.slash("reload"))
    assert general_reload["content"].startswith("🔄 Reloaded the corpus **films**: no change (2 documents")


def test_a_channel_assignment_wins_over_its_server(tmp_path: Path, science_corpus: Path) -> None:
    """Channel over server over default; a thread follows its parent channel."""
    config = load_config(
        write_config(
            tmp_path,
            '[corpora]\nscience = "corpora/science"\n[guilds."1"]\ncorpus = "science"\n'
            '[channels."2"]\ncorpus = "default"\n',
        ),
        DEFAULT_CORPUS,
    )
    assert config.channels == {2: "default"} and config.guilds == {1: "science"}
    corpora = Corpora(config, {name: FixedCorpus(engine=name) for name in config.corpora})
    assert corpora.name_for(guild_id=1, channel_id=2) == "default"  # the channel's own
    assert corpora.name_for(guild_id=1, channel_id=3) == "science"  # the server's
    assert corpora.name_for(guild_id=1, channel_id=4, parent_id=2) == "default"  # a thread: its channel's
    assert corpora.name_for(guild_id=9, channel_id=5) == "default"  # unassigned
    assert corpora.name_for(guild_id=None, channel_id=6) == "default"  # a DM
    assert corpora.several


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("[corpora\nfilms = 1", "not valid TOML"),
        ('[corpora]\nfilms = "no/such/folder"\n', 'corpus "films" in CITEBOT_CONFIG: '),
        ('[corpora]\nfilms = "corpora/science"\n[channels."5"]\ncorpus = "music"\n', 'names corpus "music"'),
        ('[corpora]\n"bad name!" = "corpora/science"\n', "must be 1-32 letters"),
        ('[guilds."not-a-number"]\ncorpus = "default"\n', "must be a guild id"),
        ("[channel]\n", "unknown table(s) channel"),
    ],
    ids=["syntax", "missing-folder", "unknown-corpus", "bad-name", "bad-id", "typo"],
)
async def test_a_bad_configuration_is_one_line_and_exit_2(
    discord_server: FakeDiscord,
    restore_discord_endpoints: None,
    restore_logging: None,
    tmp_path: Path,
    science_corpus: Path,
    capsys: pytest.CaptureFixture[str],
    toml: str,
    says: str,
) -> None:
    """A bad CITEBOT_CONFIG or a missing corpus folder: one line naming the file and the problem, exit 2,
    before connecting to Discord."""
    config = write_config(tmp_path, toml)
    settings = bot_settings(discord_server, config=config, database=tmp_path / "db.sqlite3")
    assert await asyncio.to_thread(serve, settings) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("citebot: ") and says in line and "Traceback" not in line
    assert discord_server.requests == []


def test_corpus_option_accepts_a_configured_name(
    science_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`citebot ask --corpus science` answers from the corpus CITEBOT_CONFIG names "science"; a bad
    config is one line and exit 2."""
    config = write_config(tmp_path, '[corpora]\nscience = "corpora/science"\n')
    monkeypatch.setenv("CITEBOT_CONFIG", str(config))
    monkeypatch.setenv("CITEBOT_CACHE_DIR", str(tmp_path / "cache"))
    out = io.StringIO()
    assert main(["ask", "--corpus", "science", SCIENCE], stdout=out) == 0
    assert "three hearts" in out.getvalue()
    config.write_text("[corpora\n", encoding="utf-8")
    assert main(["ask", "--corpus", "science", SCIENCE], stdout=io.StringIO()) == 2


@pytest.mark.parametrize("command", [["ask", SCIENCE], ["sources"], ["index"]])
def test_a_bad_config_stops_offline_commands_that_do_not_name_a_corpus(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken CITEBOT_CONFIG is reported by the first offline command, even one using the default
    corpus: one line naming the file and the setting once, exit 2 (not found later by the bot)."""
    config = write_config(tmp_path, "[corpora\n")
    monkeypatch.setenv("CITEBOT_CONFIG", str(config))
    monkeypatch.setenv("CITEBOT_CACHE_DIR", str(tmp_path / "cache"))
    assert main(command, stdout=io.StringIO()) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("citebot: error: ") and str(config) in line and "not valid TOML" in line
    assert line.count("CITEBOT_CONFIG") == 1
    config.unlink()
    assert main(command, stdout=io.StringIO()) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "no such file" in line and line.count("CITEBOT_CONFIG") == 1
