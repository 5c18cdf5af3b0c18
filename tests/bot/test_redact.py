"""Secrets and interaction/webhook tokens never reach the logs."""

from __future__ import annotations

import logging

from pydantic import SecretStr

from bot.redact import MASK, RedactSecrets, install_redaction
from retrieval.settings import Settings

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB"
API_KEY = "sk-test-0123456789abcdef"
INTERACTION_TOKEN = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA"


def settings() -> Settings:
    return Settings(discord_token=SecretStr(TOKEN), llm_api_key=SecretStr(API_KEY))


def test_filter_masks_tokens_in_messages_arguments_and_tracebacks(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(RedactSecrets([TOKEN, API_KEY]))
    http = logging.getLogger("discord.http")
    http.debug(
        "POST https://discord.com/api/v10/interactions/123/%s/callback with %s has returned 204",
        INTERACTION_TOKEN,
        {"type": 5},
    )
    http.debug("PATCH /webhooks/456/%s/messages/@original", INTERACTION_TOKEN)
    logging.getLogger("bot").info("headers %s", {"Authorization": f"Bot {TOKEN}", "key": API_KEY})
    try:
        raise RuntimeError(f"login failed for {TOKEN}")
    except RuntimeError:
        logging.getLogger("bot.runner").exception("could not start")
    text = caplog.text
    for secret in (TOKEN, API_KEY, INTERACTION_TOKEN):
        assert secret not in text
    assert text.count(MASK) >= 5
    assert "/interactions/123/[redacted]/callback" in text and "has returned 204" in text


def test_an_unknown_bot_token_is_masked_by_its_shape():
    other = "OTg3NjU0MzIxMDk4NzY1NDMy.Gxyzab.ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210"
    assert other not in RedactSecrets().redact(f"token={other}")


def test_short_or_empty_secrets_do_not_blank_ordinary_words():
    redactor = RedactSecrets(["", "abc"])
    assert redactor.redact("abc def") == "abc def"


def test_installed_on_every_root_handler():
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        redactor = install_redaction(settings())
        assert redactor in handler.filters
        assert set(redactor.secrets) == {TOKEN, API_KEY}
    finally:
        root.removeHandler(handler)
