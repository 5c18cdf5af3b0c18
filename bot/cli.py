"""`seedbot`: the retrieval CLI's commands plus the bot's own (`seedbot sync-commands`)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.terminal.cli import main as retrieval_main
from retrieval.errors import SeedbotError
from retrieval.settings import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add the bot's subcommands to the `seedbot` parser."""
    sync = sub.add_parser(
        "sync-commands", help="register the slash commands with Discord (globally or in a guild)"
    )
    where = sync.add_mutually_exclusive_group()
    where.add_argument("--guild", type=int, help="a guild (server) id: commands appear at once")
    where.add_argument(
        "--global",
        dest="everywhere",
        action="store_true",
        help="register globally even when DISCORD_GUILD_ID is set (can take up to an hour)",
    )
    sync.set_defaults(run=_sync)
    doctor = sub.add_parser("doctor", help="check settings, store, index freshness and token")
    doctor.add_argument("--online", action="store_true", help="also log in to Discord")
    doctor.set_defaults(run=_doctor)


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.terminal.doctor import run_doctor

    return run_doctor(settings, online=args.online)


def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from bot.failures import explain
    from bot.redact import install_redaction
    from bot.runner import endpoint_overrides
    from bot.sync import sync_commands

    if not settings.discord_token:
        raise SeedbotError("DISCORD_TOKEN is not set: put the bot's token in .env first.")
    install_redaction(settings)
    guild_id = 0 if args.everywhere else args.guild or settings.discord_guild_id
    options = endpoint_overrides(os.environ)
    where = f"guild {guild_id}" if guild_id else "every guild"
    try:
        names = asyncio.run(sync_commands(settings, guild_id, **options))
    except Exception as exc:
        failure = explain(exc, f"register the slash commands in {where}")
        print(failure.line, file=sys.stderr)
        return failure.code
    where = f"guild {guild_id}" if guild_id else "every guild (may take up to an hour to show)"
    print(f"Registered {len(names)} commands in {where}: " + ", ".join(f"/{n}" for n in names))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `seedbot` command."""
    return retrieval_main(argv, extend=add_commands)


if __name__ == "__main__":
    sys.exit(main())
