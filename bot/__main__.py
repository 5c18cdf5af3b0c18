"""`python -m bot` and `make run`: the bot when DISCORD_TOKEN is set, else the terminal chat."""

from __future__ import annotations

import sys

from bot.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["run"]))
