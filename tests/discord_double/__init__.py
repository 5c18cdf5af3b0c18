"""A local Discord API double (REST + gateway) for end-to-end tests of discord.py bots."""

from .fixtures import pointed_at, run_client
from .interactions import SentInteraction
from .payloads import Person
from .server import DiscordDouble, RecordedCall

__all__ = ["DiscordDouble", "Person", "RecordedCall", "SentInteraction", "pointed_at", "run_client"]
