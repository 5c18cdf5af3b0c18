"""The composition root: settings read once, logging with secrets masked, then one job.

`python -m bot` (what `make run` starts) runs the Discord bot when DISCORD_TOKEN is set and
the terminal chat otherwise; `seedbot COMMAND` runs one command of the terminal adapter
(bot/terminal/cli.py) or `sync-commands` (bot/cli.py). Every path builds its service with
`retrieval.assembly.build_service`, so the bot and the terminal answer alike.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.logs import configure
from retrieval.errors import SeedbotError, StoreUnavailableError
from retrieval.memory import collector_paused, limit_malloc_arenas

if TYPE_CHECKING:
    import argparse

    from retrieval.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Entry point of `seedbot` and `python -m bot`: 2 with one `seedbot: ...` line on bad input."""
    limit_malloc_arenas()
    try:
        with collector_paused():  # most of a start-up is loading modules (memory.py says why)
            args, settings = _start(argv)
        return args.run(args, settings)
    except SeedbotError as exc:
        print(f"seedbot: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, StoreUnavailableError) else 2  # 3: temporary, try again
    except KeyboardInterrupt:
        return 130


def _start(argv: list[str] | None) -> tuple[argparse.Namespace, Settings]:
    """The command line and the settings, logging configured.

    The adapters, the core and their libraries are imported here rather than at the top,
    so that they load inside main's pause of the garbage collector.
    """
    from bot.terminal.cli import build_parser
    from retrieval.settings import Settings

    args = build_parser().parse_args(argv)
    settings = Settings.from_env(dotenv=Path(args.env_file).expanduser())
    if getattr(args, "corpus", None):
        settings = settings.replace(corpus_dir=Path(args.corpus).expanduser())
    configure_logging(settings)
    return args, settings


def configure_logging(settings: Settings) -> None:
    """Log at LOG_LEVEL to stderr or LOG_FILE, every secret masked (CLI and bot alike)."""
    from bot.redact import install_redaction

    configure(settings.log_level, settings.log_file)
    install_redaction(settings)
