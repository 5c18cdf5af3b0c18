"""Plain text and JSON for the terminal: answers, refusals, summaries and sources, in its words."""

from __future__ import annotations

import textwrap
import time

from bot.wording import answer_text, lines_label, summary_text
from retrieval.summary.summarizer import Summary
from retrieval.types import CODE_INDENT, Answer

QUOTE_CHARS = 320


def short_quote(quote: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def render_citations(citations) -> str:
    rows = []
    for c in citations:
        where = f"[{c.n}] {c.source}, {lines_label(c)}" + (f" <{c.url}>" if c.url else "")
        quote = textwrap.fill(
            f"“{short_quote(c.quote)}”", width=96, initial_indent="    ", subsequent_indent="    "
        )
        rows.append(f"{where}\n{quote}")
    return "\n".join(rows)


def render_answer(answer: Answer) -> str:
    body = wrapped(answer_text(answer))
    if answer.refused or not answer.citations:
        return body
    return f"{body}\n\nSources:\n{render_citations(answer.citations)}"


def wrapped(text: str, width: int = 100) -> str:
    """Prose filled to `width`; the lines of code (indented by the core) kept as they are."""
    return "\n".join(
        line.rstrip() if line.startswith(CODE_INDENT) else textwrap.fill(line, width=width)
        for line in text.split("\n")
    )


def answer_json(answer: Answer, debug: bool = False) -> dict:
    """The `seedbot ask --json` object (documented in the README); `debug` adds the raw reply."""
    verification = dict(answer.verification)
    details = verification.pop("debug", None)
    out = {
        "question": answer.question,
        "answer": answer_text(answer),
        "refused": answer.refused,
        "citations": [c.to_json() for c in answer.citations],
        "timings_ms": {k: round(v, 2) for k, v in answer.timings_ms.items()},
        "path": answer.path,
        "verification": verification,
        "standalone_question": answer.standalone_question or answer.question,
    }
    if answer.refusal:
        out["refusal"] = {"reason": answer.refusal.reason.value, "term": answer.refusal.term}
    if debug:
        out["debug"] = details or {}  # the model's raw reply (secrets removed) and verdicts
    return out


def render_summary(summary: Summary) -> str:
    body = "\n\n".join(
        textwrap.fill(part, width=100) for part in summary_text(summary).split("\n\n")
    )
    if not summary.citations:
        return body
    return f"{summary.title}\n\n{body}\n\nSources:\n{render_citations(summary.citations)}"


def summary_json(summary: Summary) -> dict:
    return {
        "title": summary.title,
        "summary": summary_text(summary),
        "citations": [c.to_json() for c in summary.citations],
        "path": summary.path,
        "refused": summary.refused,
        "verification": summary.verification,
        "timings_ms": {k: round(v, 2) for k, v in summary.timings_ms.items()},
    }


def render_sources(info) -> str:
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.built_at))
    rows = [f"{len(info.documents)} documents, {info.passages} passages; index built {built}"]
    for source, doc in sorted(info.documents.items()):
        rows.append(
            f"  {source}: {doc['lines']} lines, {doc['chars']:,} characters, "
            f"{doc['chunks']} passages"
        )
    return "\n".join(rows)


def render_refresh(report) -> str:
    """What a refresh changed: the files added, updated and removed, then the passage counts."""
    rows = []
    for kind, label in (("added", "added"), ("updated", "updated"), ("deleted", "removed")):
        names = report.files.get(kind, [])
        if names:
            rows.append(f"{label}: {', '.join(names)}")
    if not rows:
        rows.append("no file changed")
    rows.append(
        f"passages: {report.added} added, {report.updated} updated, {report.deleted} deleted, "
        f"{report.unchanged} unchanged ({report.seconds:.1f} s)"
    )
    rows += [f"skipped {source}: {why}" for source, why in report.skipped]
    return "\n".join(rows)
