"""DISCORD_SHARDS: the same bot over AutoShardedBot, through the double's real gateway."""

from __future__ import annotations

import pytest

from bot.client import SeedBot, ShardedSeedBot, make_bot
from bot.feedback import FeedbackStore
from retrieval.errors import SettingsError
from retrieval.settings import Settings
from tests.bot.helpers import acknowledgement, markers, reply
from tests.discord_double import run_client


@pytest.mark.parametrize(
    ("spec", "count", "ids"), [("auto", None, None), ("2", 2, None), ("4:1,3", 4, [1, 3])]
)
def test_the_setting_picks_the_shards(spec, count, ids):
    bot = make_bot(Settings(discord_shards=spec))
    assert isinstance(bot, ShardedSeedBot)
    assert bot.shard_count == count and bot.shard_ids == ids


def test_without_the_setting_the_bot_is_not_sharded():
    assert type(make_bot(Settings())) is SeedBot


@pytest.mark.parametrize("spec", ["many", "0", "2:2", "2:a"])
def test_a_malformed_shard_setting_is_a_clear_error(spec):
    with pytest.raises(SettingsError, match="DISCORD_SHARDS"):
        Settings.from_env({"DISCORD_SHARDS": spec})


async def test_a_sharded_bot_answers_ask(double, seed_service, tmp_path):
    settings = seed_service.settings.replace(
        feedback_db=tmp_path / "f.sqlite3", discord_shards="auto"
    )
    feedback = FeedbackStore(settings.feedback_db)
    bot = make_bot(settings, service=seed_service, feedback=feedback, guild_ready_timeout=0.1)
    try:
        async with run_client(bot, double):
            assert bot.shard_count == 1  # what the double's GET /gateway/bot recommends
            sent = await double.send_slash_command(
                "ask", {"question": "Why is the cyborgism approach worth it?"}
            )
            assert (await acknowledgement(double, sent)).json_body["type"] == 5
            assert markers((await reply(double, sent))["content"])
    finally:
        feedback.close()
    assert double.calls_to("GET", "/gateway/bot")
