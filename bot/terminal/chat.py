"""`seedbot chat`: the main job without Discord, a conversation in the terminal."""

from __future__ import annotations

import atexit
import contextlib
import sys
from pathlib import Path

from bot.terminal.render import render_answer, render_refresh, render_sources, render_summary
from retrieval.errors import SeedbotError
from retrieval.types import Turn

HELP = """Ask a question about the texts, or use a command:
  /summary [DOCUMENT]     summarise one document, or the whole corpus
  /summary topic: TEXT    summarise what the texts say about a topic
  /sources                the indexed documents
  /reindex                refresh the index after the texts changed
  /new                    forget the conversation (follow-ups start afresh)
  /help                   this help
  /quit                   leave (or Ctrl-D)
The chat remembers the last few questions: "why?" or "and the second source?" follow up on
the last answer, a question that stands alone starts afresh, and /new forgets them.
Up and Down recall earlier lines; they are kept in .seedbot/chat_history."""
HISTORY_FILE = Path(".seedbot/chat_history")
HISTORY_LINES = 1000


def run_chat(service, stdin=None, stdout=None) -> int:
    """Read questions and commands until end of input; follow-ups use the conversation."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    history: list[Turn] = []
    if interactive:
        _line_editing()
        print("seedbot: ask about the texts (/help for commands, /quit to leave).", file=stdout)
    while True:
        line = _read(stdin, interactive)
        if not line or line.strip() in ("/quit", "/exit"):
            return 0
        if not line.strip():
            continue
        try:
            reply = _handle(service, line.strip(), history)
        except SeedbotError as exc:
            reply = f"! {exc}"
        print(reply, file=stdout, flush=True)


def _line_editing() -> None:
    """Line editing and a history kept between sessions, from the standard library's readline."""
    try:
        import readline
    except ImportError:  # not on every platform: the chat works without it
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(HISTORY_FILE)
    readline.set_history_length(HISTORY_LINES)
    atexit.register(_save_history, readline)


def _save_history(readline) -> None:
    try:
        HISTORY_FILE.parent.mkdir(parents=True, exist_ok=True)
        readline.write_history_file(HISTORY_FILE)
    except OSError:
        pass


def _read(stdin, interactive: bool) -> str:
    """The next line ("" at the end of input); with a terminal, read through readline."""
    if not interactive:
        return stdin.readline()
    try:
        return input("\n> ") + "\n"
    except EOFError:
        return ""


def _handle(service, line: str, history: list[Turn]) -> str:
    command, _, rest = line.partition(" ")
    if command == "/help":
        return HELP
    if command == "/sources":
        return render_sources(service.sources())
    if command == "/reindex":
        return render_refresh(service.refresh())
    if command == "/new":
        history.clear()
        return "(conversation cleared)"
    if command == "/summary":
        rest = rest.strip()
        if rest.lower().startswith("topic:"):
            return render_summary(service.summarize(topic=rest[6:].strip()))
        return render_summary(service.summarize(document=rest or None))
    if command.startswith("/"):
        return f"Unknown command {command}. " + HELP
    answer = service.ask(line, history[-4:])
    # Refused turns are kept too: a follow-up of one is told there is nothing to follow.
    history.append(
        Turn(answer.standalone_question, answer.text, tuple(answer.citations), answer.refused)
    )
    return render_answer(answer)
