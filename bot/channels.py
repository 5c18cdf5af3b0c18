"""ALLOWED_CHANNELS: the channels (and their threads) where mentions of the bot are answered."""

from __future__ import annotations

import os
from collections.abc import Mapping

from retrieval.errors import SettingsError

# Read here until Settings gains the field (ALLOWED_CHANNELS: tuple[int, ...], default ()).
NAME = "ALLOWED_CHANNELS"


def allowed_channels(env: Mapping[str, str] = os.environ) -> frozenset[int]:
    """The channel ids in ALLOWED_CHANNELS (comma-separated); empty means every channel."""
    raw = (env.get(NAME) or "").strip()
    try:
        return frozenset(int(part) for part in raw.split(",") if part.strip())
    except ValueError:
        raise SettingsError(
            f"{NAME} must be channel ids separated by commas (right-click a channel > Copy "
            f"Channel ID), not {raw[:60]!r}"
        ) from None


def answers_in(channel: object, allowed: frozenset[int]) -> bool:
    """Whether the bot answers mentions in `channel`: allowed itself, or a thread of one."""
    if not allowed:
        return True
    ids = {getattr(channel, "id", None), getattr(channel, "parent_id", None)}
    return bool(ids & allowed)
