"""`python -m bot` and `make run`: the bot when DISCORD_TOKEN is set, else the terminal chat."""

from __future__ import annotations

import sys

from bot.terminal.cli import configure_logging
from bot.terminal.cli import main as cli_main
from retrieval.errors import SeedbotError
from retrieval.memory import limit_malloc_arenas
from retrieval.settings import Settings


def main() -> int:
    limit_malloc_arenas()
    try:
        settings = Settings.from_env()
    except SeedbotError as exc:
        print(f"seedbot: {exc}", file=sys.stderr)
        return 2
    if not settings.discord_token:
        print(
            "DISCORD_TOKEN is not set: opening the terminal chat instead "
            "(see docs/discord.md to run the Discord bot).",
            file=sys.stderr,
        )
        return cli_main(["chat"])
    configure_logging(settings.log_level)
    from bot.runner import run_bot

    return run_bot(settings)


if __name__ == "__main__":
    sys.exit(main())
