"""ALLOWED_CHANNELS: the channels (and their threads) where mentions of the bot are answered."""

from __future__ import annotations


def answers_in(channel: object, allowed: frozenset[int]) -> bool:
    """Whether the bot answers mentions in `channel`: allowed itself, or a thread of one."""
    if not allowed:
        return True
    ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
    return bool(ids & allowed)
