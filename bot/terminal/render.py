"""Plain-text rendering of answers, summaries and sources for the terminal."""

from __future__ import annotations

import textwrap
import time

from retrieval.types import Answer, Citation

QUOTE_CHARS = 320


def lines_label(citation: Citation) -> str:
    if citation.line_start == citation.line_end:
        return f"line {citation.line_start}"
    return f"lines {citation.line_start}-{citation.line_end}"


def short_quote(quote: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def render_citations(citations: list[Citation]) -> str:
    rows = []
    for c in citations:
        where = f"[{c.n}] {c.source}, {lines_label(c)}" + (f" <{c.url}>" if c.url else "")
        quote = textwrap.fill(
            f"“{short_quote(c.quote)}”", width=96, initial_indent="    ", subsequent_indent="    "
        )
        rows.append(f"{where}\n{quote}")
    return "\n".join(rows)


def render_answer(answer: Answer) -> str:
    body = textwrap.fill(answer.answer, width=100)
    if answer.refused or not answer.citations:
        return body
    return f"{body}\n\nSources:\n{render_citations(answer.citations)}"


def render_summary(summary) -> str:
    body = textwrap.fill(summary.text, width=100)
    if not summary.citations:
        return body
    return f"{summary.title}\n\n{body}\n\nSources:\n{render_citations(summary.citations)}"


def render_sources(info) -> str:
    built = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.built_at))
    rows = [f"{len(info.documents)} documents, {info.passages} passages; index built {built}"]
    for source, doc in sorted(info.documents.items()):
        rows.append(
            f"  {source}: {doc['lines']} lines, {doc['chars']:,} characters, "
            f"{doc['chunks']} passages"
        )
    return "\n".join(rows)
