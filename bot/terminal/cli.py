"""`seedbot`: index, ask, evaluate and chat from the terminal, over the same service as the bot."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable

from retrieval.errors import IndexMissingError, SeedbotError, StoreUnavailableError
from retrieval.memory import limit_malloc_arenas
from retrieval.settings import Settings

log = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
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
    evaluate.set_defaults(run=_eval)

    summary = sub.add_parser("summary", help="summarise a document, a topic or the corpus")
    summary.add_argument("document", nargs="?", help="a corpus file (default: whole corpus)")
    summary.add_argument("--topic", help="summarise what the corpus says about a topic")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    summary.set_defaults(run=_summary)

    chat = sub.add_parser("chat", help="an interactive session in the terminal")
    chat.set_defaults(run=_chat)
    return parser, sub


def main(argv: list[str] | None = None, extend: Callable | None = None) -> int:
    """Entry point of the `seedbot` command; `extend` lets the bot package add its commands."""
    limit_malloc_arenas()
    parser, sub = build_parser()
    if extend is not None:
        extend(sub)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(dotenv=_path(args.env_file))
        configure_logging(settings.log_level)
        if getattr(args, "corpus", None):
            settings = _with(settings, corpus_dir=_path(args.corpus))
        return args.run(args, settings)
    except SeedbotError as exc:
        print(f"seedbot: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, StoreUnavailableError) else 2  # 3: temporary, try again
    except KeyboardInterrupt:
        return 130


def configure_logging(level: str) -> None:
    from bot.logs import configure, log_file_setting

    configure(level, log_file_setting())


def open_service(settings: Settings):
    from retrieval.service import SeedService

    return SeedService.from_settings(settings)


def ensure_index(service) -> None:
    """Build the index on first use (what `make run` relies on)."""
    try:
        service.retriever()
    except IndexMissingError:
        print("No index yet: building it from", service.settings.corpus_dir, file=sys.stderr)
        report = service.refresh(progress=_progress_bar())
        print(report.summary(), file=sys.stderr)


def _index(args, settings: Settings) -> int:
    from retrieval.index.store import make_client
    from retrieval.service import SeedService

    # Only `index` may move a damaged store folder aside: it rebuilds everything anyway.
    service = SeedService.from_settings(settings, client=make_client(settings, recover=True))
    report = service.refresh(progress=_progress_bar(), force=args.force)
    print(report.summary())
    return 0


def _ask(args, settings: Settings) -> int:
    from bot.terminal.render import render_answer

    service = open_service(settings)
    if args.jsonl:
        return _ask_lines(service)
    if args.question is None:
        raise SeedbotError('Give a question, e.g. seedbot ask "What is a schemer?"')
    answer = service.ask(args.question)
    print(json.dumps(answer.to_json(), ensure_ascii=False) if args.json else render_answer(answer))
    return 0


def _ask_lines(service) -> int:
    """One JSON answer per question line; a bad line gets an error object, not an exit."""
    service.warm_up()
    failures = 0
    for line in sys.stdin:
        try:
            out = service.ask(line.rstrip("\n")).to_json()
        except SeedbotError as exc:
            if not isinstance(exc, QuestionErrorTypes):
                raise
            failures += 1
            out = {"question": line.rstrip("\n")[:200], "error": str(exc)}
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def _sources(args, settings: Settings) -> int:
    from bot.terminal.render import render_sources

    print(render_sources(open_service(settings).sources()))
    return 0


def _eval(args, settings: Settings) -> int:
    if args.calibrate_support:
        from retrieval.evaluation.support_calibration import run_cli as calibrate_support

        return calibrate_support(open_service(settings), args)
    from retrieval.evaluation.evaluate import run_cli

    return run_cli(open_service(settings), args)


def _summary(args, settings: Settings) -> int:
    from bot.terminal.render import render_summary

    service = open_service(settings)
    summary = service.summarize(document=args.document, topic=args.topic)
    print(
        json.dumps(summary.to_json(), ensure_ascii=False) if args.json else render_summary(summary)
    )
    return 0


def _chat(args, settings: Settings) -> int:
    from bot.terminal.chat import run_chat

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


def _with(settings: Settings, **changes) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


from retrieval.errors import QuestionError as QuestionErrorTypes  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
