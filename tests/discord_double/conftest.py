"""The double's own tests use its fixtures; the rest of the suite can register the same module
with `pytest_plugins = ["tests.discord_double.fixtures"]` in tests/conftest.py."""

from tests.discord_double.fixtures import discord_double

__all__ = ["discord_double"]
