"""The bot's structure: commands are extensions loaded from one list; app and commands stay apart."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import bot.commands
from bot.app import EXTENSIONS

BOT = Path(bot.commands.__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any level (type-checking blocks included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_every_command_module_is_an_extension_in_the_list() -> None:
    """Each module of bot/commands has `async def setup(bot)`, and EXTENSIONS lists exactly them."""
    modules = {f"bot.commands.{info.name}" for info in pkgutil.iter_modules(bot.commands.__path__)}
    assert set(EXTENSIONS) == modules
    for name in modules:
        setup = importlib.import_module(name).setup
        assert inspect.iscoroutinefunction(setup) and list(inspect.signature(setup).parameters) == ["bot"]


def test_app_and_commands_do_not_import_each_other() -> None:
    """bot/app.py names the commands only as strings; no command module imports bot.app."""
    assert not any(name.startswith("bot.commands") for name in imported_modules(BOT / "app.py"))
    for path in (BOT / "commands").glob("*.py"):
        assert not any(name.startswith("bot.app") for name in imported_modules(path)), path.name


def test_renderers_share_one_wording_module() -> None:
    """Neither renderer spells a stance label or the claim line itself: both take them from bot.wording."""
    for name in ("render_text.py", "render_discord.py"):
        tree = ast.parse((BOT / name).read_text(encoding="utf-8"))
        strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]
        assert "bot.wording" in imported_modules(BOT / name)
        for phrase in ("refutes the claim", "without taking a side", "judged against", "toward the claim"):
            assert not [text for text in strings if isinstance(text, str) and phrase in text], (name, phrase)
