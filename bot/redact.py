"""A logging filter that keeps secrets and interaction/webhook tokens out of every log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from retrieval.settings import Settings

MASK = "[redacted]"
MIN_SECRET_CHARS = 8  # shorter values would redact ordinary words
# Webhook and interaction URLs carry a token that works as a credential for 15 minutes.
_TOKEN_URL = re.compile(r"(/(?:webhooks|interactions)/\d+/)([A-Za-z0-9_.\-]{20,})")
# The shape of a Discord bot token, in case one turns up that isn't ours.
_BOT_TOKEN = re.compile(r"\b[A-Za-z0-9_\-]{23,28}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,}\b")


class RedactSecrets(logging.Filter):
    """Rewrites each record's message and traceback with secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted(
            {s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True
        )

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        text = _TOKEN_URL.sub(rf"\g<1>{MASK}", text)
        return _BOT_TOKEN.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install_redaction(settings: Settings, logger: logging.Logger | None = None) -> RedactSecrets:
    """Add the filter to every handler of `logger` (the root logger by default)."""
    redactor = RedactSecrets(settings.secret_values())
    # On handlers, not loggers: a logger's filters skip records from its child loggers.
    for handler in (logger or logging.getLogger()).handlers:
        handler.addFilter(redactor)
    return redactor
