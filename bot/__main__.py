"""``python -m bot``: run the Discord bot (the same as ``citebot serve``)."""

from bot.app import serve

raise SystemExit(serve())
