"""`seedbot`: index, ask, evaluate and chat from the terminal, over the same service as the bot."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from bot.terminal.render import (
    answer_json,
    render_answer,
    render_refresh,
    render_summary,
    summary_json,
)
from retrieval.assembly import build_service
from retrieval.errors import SeedbotError
from retrieval.memory import collector_paused
from retrieval.settings import Settings

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The `seedbot` command line: the terminal's commands and the bot's own."""
    parser = argparse.ArgumentParser(
        prog="seedbot", description="Answer questions about a corpus of texts, with citations."
    )
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    sub = parser.add_subparsers(dest="command", required=True)

    index = sub.add_parser("index", help="build or refresh the index from the corpus folder")
    index.add_argument("--corpus", help="corpus folder (default: CORPUS_DIR or seeds/)")
    index.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    index.set_defaults(run=_index)

    ask = sub.add_parser("ask", help="answer a question with cited sources")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    mode = ask.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print one JSON object")
    mode.add_argument("--jsonl", action="store_true", help="questions on stdin, one per line")
    ask.add_argument(
        "--debug", action="store_true", help="with --json(l): the LLM's raw reply and verdicts"
    )
    ask.set_defaults(run=_ask)

    sources = sub.add_parser("sources", help="list the indexed documents")
    sources.set_defaults(run=_sources)

    evaluate = sub.add_parser("eval", help="score retrieval and answers on a question set")
    evaluate.add_argument(
        "--set",
        dest="question_sets",
        action="append",
        help="JSONL question set (repeat to pool several; default eval/questions.jsonl)",
    )
    evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
    evaluate.add_argument("--calibrate", action="store_true", help="sweep the refusal threshold")
    evaluate.add_argument(
        "--calibrate-support",
        action="store_true",
        help="sweep the support threshold that generated citations must pass",
    )
    evaluate.add_argument(
        "--fit",
        action="store_true",
        help="fit the refusal model on the sets (cross-validated) and write it to --fit-out",
    )
    evaluate.add_argument(
        "--fit-out", type=Path, help="where --fit writes the model (default: print only)"
    )
    evaluate.add_argument(
        "--fit-features",
        help="comma-separated features --fit starts from (default: every feature measured)",
    )
    evaluate.add_argument(
        "--fit-selection",
        action="store_true",
        help="fit how the offline answer picks its sentences (cross-validated; prints the fit)",
    )
    evaluate.set_defaults(run=_eval)

    summary = sub.add_parser("summary", help="summarise a document, a topic or the corpus")
    summary.add_argument("document", nargs="?", help="a corpus file (default: whole corpus)")
    summary.add_argument("--topic", help="summarise what the corpus says about a topic")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    summary.set_defaults(run=_summary)

    chat = sub.add_parser("chat", help="an interactive session in the terminal")
    chat.add_argument("-v", "--verbose", action="store_true", help="show log lines between answers")
    chat.set_defaults(run=_chat)

    run = sub.add_parser("run", help="the Discord bot if DISCORD_TOKEN is set, else the chat")
    run.set_defaults(run=_run)

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
    return parser


def open_service(settings: Settings):
    with collector_paused():  # Chroma's and onnxruntime's modules load here (memory.py)
        return build_service(settings)


def ensure_index(service) -> None:
    """Build the index on first use (what `make run` relies on)."""
    report = service.ensure_index(progress=_progress_bar())
    if report is not None:
        print(f"No index yet: built it from {service.settings.corpus_dir}", file=sys.stderr)
        print(render_refresh(report), file=sys.stderr)


def _index(args, settings: Settings) -> int:
    from retrieval.index.store import make_client

    # Only `index` may move a damaged store folder aside: it rebuilds everything anyway.
    service = build_service(settings, client=make_client(settings, recover=True))
    report = service.refresh(progress=_progress_bar(), force=args.force)
    print(render_refresh(report))
    return 0


def _ask(args, settings: Settings) -> int:

    service = open_service(settings)
    if args.jsonl:
        return _ask_lines(service, args.debug)
    if args.question is None:
        raise SeedbotError('Give a question, e.g. seedbot ask "What is a schemer?"')
    answer = service.ask(args.question)
    print(
        json.dumps(answer_json(answer, args.debug), ensure_ascii=False)
        if args.json
        else render_answer(answer)
    )
    return 0


def _ask_lines(service, debug: bool = False) -> int:
    """One JSON answer per question line; a bad line gets an error object, not an exit."""
    service.load()
    failures = 0
    for number, line in enumerate(sys.stdin):
        try:
            out = answer_json(service.ask(line.rstrip("\n")), debug)
        except SeedbotError as exc:
            if not isinstance(exc, QuestionErrorTypes):
                raise
            failures += 1
            out = {"question": line.rstrip("\n")[:200], "error": str(exc)}
        print(json.dumps(out, ensure_ascii=False), flush=True)
        if number == 0:
            # Only after the first answer: started before, the prefetch's embedding competes
            # with it for the cores (about 0.1 s of the cold start on two), and the first
            # question embeds the few words it needs itself.
            service.prefetch_words()
    return 1 if failures else 0


def _sources(args, settings: Settings) -> int:
    from bot.terminal.render import render_sources

    print(render_sources(open_service(settings).sources()))
    return 0


def _eval(args, settings: Settings) -> int:
    from bot.terminal.evaluation import run_eval

    return run_eval(settings, args)


def _summary(args, settings: Settings) -> int:

    service = open_service(settings)
    summary = service.summarize(document=args.document, topic=args.topic)
    print(
        json.dumps(summary_json(summary), ensure_ascii=False)
        if args.json
        else render_summary(summary)
    )
    return 0


def _run(args, settings: Settings) -> int:
    """What `make run` starts: the bot when it has a token, else the terminal chat."""
    if not settings.discord_token:
        print(
            "DISCORD_TOKEN is not set: opening the terminal chat instead "
            "(see docs/discord.md to run the Discord bot).",
            file=sys.stderr,
        )
        return _chat(args, settings)
    from bot.runner import run_bot

    return run_bot(settings)


def _doctor(args, settings: Settings) -> int:
    from bot.terminal.doctor import run_doctor

    return run_doctor(settings, online=args.online)


def _sync(args, settings: Settings) -> int:
    from bot.cli import sync

    return sync(args, settings)


def _chat(args, settings: Settings) -> int:
    from bot.terminal.chat import run_chat

    if not getattr(args, "verbose", False):  # answers, not log lines, between the prompts
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    service = open_service(settings)
    ensure_index(service)
    return run_chat(service)


def _progress_bar():
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="passage", leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return progress


def _path(value: str):
    from pathlib import Path

    return Path(value).expanduser()


from retrieval.errors import QuestionError as QuestionErrorTypes  # noqa: E402
