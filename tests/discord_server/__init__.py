"""A Discord-compatible HTTP API and gateway for tests (see server.py)."""

from tests.discord_server.server import FakeDiscord, InteractionRecord, Recorded

__all__ = ["FakeDiscord", "InteractionRecord", "Recorded"]
