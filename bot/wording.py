"""What members read when the core declines: one wording for the Discord and terminal adapters."""

from __future__ import annotations

from collections.abc import Callable

from retrieval.progress import CHECK, SEARCH, WRITE
from retrieval.summary.summarizer import Summary, shown_topic
from retrieval.types import Answer, Citation, Refusal, RefusalReason

SEE_SOURCES = "see /sources for what they cover"  # a command in both the chat and Discord

STAGE_WORDS = {
    SEARCH: "Searching the texts…",
    WRITE: "Writing an answer…",
    CHECK: "Checking the answer's citations…",
}


def refusal_text(refusal: Refusal) -> str:
    """The refusal in words: the term the texts use without explaining it, when that is why."""
    if refusal.reason is RefusalReason.NOTHING_TO_FOLLOW:
        return (
            "There was no answer to follow up on: the texts didn't answer the last question. "
            "Ask your question in full."
        )
    if refusal.reason is RefusalReason.NOTHING_ASKED:
        return (
            "There's nothing in that message I can look up in the texts. Ask me a question "
            f"about them, or {SEE_SOURCES}."
        )
    if refusal.reason is RefusalReason.NOT_DEFINED:
        return (
            f"The indexed texts mention “{refusal.term}” but don't say what it is. Try asking "
            f"what they say about it, or {SEE_SOURCES}."
        )
    if refusal.reason is RefusalReason.NOT_MENTIONED:
        return (
            f"I couldn't find an answer to that in the indexed texts: they never mention "
            f"“{refusal.term}”. If they call it something else, ask in their words, or "
            f"{SEE_SOURCES}."
        )
    return (
        f"I couldn't find an answer to that in the indexed texts. Try rephrasing it, or "
        f"{SEE_SOURCES}."
    )


def stage_text(stage: str) -> str:
    """What a member reads while the answer is at `stage` (retrieval/progress.py)."""
    return STAGE_WORDS.get(stage, "Working on it…")


def answer_text(answer: Answer) -> str:
    return refusal_text(answer.refusal) if answer.refusal else answer.text


def summary_text(summary: Summary, emphasis: Callable[[str], str] = str) -> str:
    """The summary in reading order, each group of points after its lead-in drawn from the texts."""
    if any(lead_in for lead_in, _ in summary.sections):
        return "\n\n".join(
            f"{emphasis(lead_in)}: {text}" if lead_in else text
            for lead_in, text in summary.sections
        )
    if summary.text or not summary.refused:
        return summary.text
    if summary.topic:
        return (
            f"The texts say nothing clear about “{shown_topic(summary.topic)}”. Try other "
            f"words, or {SEE_SOURCES}."
        )
    return "There is nothing to summarise."


def lines_label(citation: Citation) -> str:
    if citation.line_start == citation.line_end:
        return f"line {citation.line_start}"
    return f"lines {citation.line_start}-{citation.line_end}"
