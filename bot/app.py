"""The composition root: settings read once, logging with secrets masked, then one job.

`python -m bot` (what `make run` starts) runs the Discord bot when DISCORD_TOKEN is set and
the terminal chat otherwise; `seedbot COMMAND` runs one command of the terminal adapter
(bot/terminal/cli.py) or `sync-commands` (bot/cli.py). Every path builds its service with
`retrieval.assembly.build_service`, so the bot and the terminal answer alike.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.redact import install_redaction
from bot.terminal.cli import build_parser
from retrieval.errors import SeedbotError
from retrieval.memory import limit_malloc_arenas
from retrieval.settings import Settings

NOISY_LOGGERS = ("chromadb", "httpx", "httpcore", "onnxruntime", "discord.gateway")


def main(argv: list[str] | None = None) -> int:
    """Entry point of `seedbot` and `python -m bot`: 2 with one `seedbot: ...` line on bad input."""
    limit_malloc_arenas()
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(dotenv=Path(args.env_file).expanduser())
        if getattr(args, "corpus", None):
            settings = settings.replace(corpus_dir=Path(args.corpus).expanduser())
        configure_logging(settings)
        return args.run(args, settings)
    except SeedbotError as exc:
        print(f"seedbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def configure_logging(settings: Settings) -> None:
    """Log to stderr at LOG_LEVEL, with every secret of the settings masked (CLI and bot alike)."""
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_redaction(settings)
