"""The composition root: settings read once, logging with secrets masked, then one job.

`python -m bot` (what `make run` starts) runs the Discord bot when DISCORD_TOKEN is set and
the terminal chat otherwise; `seedbot COMMAND` runs one command of the terminal adapter
(bot/terminal/cli.py) or `sync-commands` (bot/cli.py). Every path builds its service with
`retrieval.assembly.build_service`, so the bot and the terminal answer alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.logs import configure
from bot.redact import install_redaction
from bot.terminal.cli import build_parser
from retrieval.errors import SeedbotError, StoreUnavailableError
from retrieval.memory import limit_malloc_arenas
from retrieval.settings import Settings


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
        return 3 if isinstance(exc, StoreUnavailableError) else 2  # 3: temporary, try again
    except KeyboardInterrupt:
        return 130


def configure_logging(settings: Settings) -> None:
    """Log at LOG_LEVEL to stderr or LOG_FILE, every secret masked (CLI and bot alike)."""
    configure(settings.log_level, settings.log_file)
    install_redaction(settings)
