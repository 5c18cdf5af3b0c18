"""Where log records go: the terminal (the journal under systemd) or a rotating LOG_FILE."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY = ("chromadb", "httpx", "httpcore", "onnxruntime", "discord.gateway")
LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_BACKUPS = 5  # at most 30 MiB of logs


def configure(level: str, log_file: Path | None = None) -> None:
    """Log at `level` to stderr, or to `log_file` (rotated at 5 MiB, five kept) when given.

    With a file, stderr carries only the one-line `seedbot: ...` failures the commands print.
    """
    handler: logging.Handler
    if log_file:
        path = Path(log_file).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
        )
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO), handlers=[handler])
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
