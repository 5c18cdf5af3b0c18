"""The offline answerer: picks the sentences that best answer the question and cites each one."""

from __future__ import annotations

import re

from retrieval.answer.analysis import QuestionFacts
from retrieval.answer.citations import compose as cite_claims
from retrieval.answer.evidence import Evidence
from retrieval.answer.preference import prefer
from retrieval.answer.spans import extend, with_following
from retrieval.types import Citation, Turn

# Fitted by `seedbot eval --fit-selection` on the dev sets of both corpora (eval/README.md).
NEAR_BEST = 0.08  # further sentences must score within this of the best one
FOLLOW = 1  # sentences after each chosen one, in its paragraph, that the answer brings along
MIN_WORDS = 5  # "Great post." answers nothing


def choose(
    evidence: list[Evidence],
    gloss: tuple[Evidence, ...],
    most: int,
    facts: QuestionFacts,
    near_best: float = NEAR_BEST,
    follow: int = FOLLOW,
) -> list[Evidence]:
    """The sentences of the answer: the best matches (never a heading alone), the sentence
    after each (the best match often states a claim that its next sentence completes), what
    they point to, and for "what is X" the sentence that says what X is."""
    ranked = prefer(facts, [e for e in evidence if not e.is_heading] or evidence)
    chosen = with_gloss(select(ranked, most, near_best), gloss, most)
    return extend(with_following(chosen, evidence, follow), evidence)


def not_yet_shown(evidence: list[Evidence], previous: Turn) -> list[Evidence]:
    """The evidence less what the last answer quoted: a follow-up ("why?") wants more, not the
    same lines again."""
    quoted = [" ".join(c.quote.split()) for c in previous.citations]
    return [e for e in evidence if not any(" ".join(e.text.split()) in q for q in quoted)]


def with_gloss(chosen: list[Evidence], wanted: tuple[Evidence, ...], most: int) -> list[Evidence]:
    """For "what is X", the answer holds the sentence that says what X is, and its lead-in.

    The best-matching sentences may only name X ("Collapsable boxes are amazing."), while the
    gloss comes a sentence later ("They are a particularly nice way of ...").
    """
    if not wanted:
        return chosen
    places = {e.place for e in wanted}
    others = [e for e in chosen if e.place not in places]
    kept = others[: max(most - len(wanted), 0)]
    return sorted(kept + list(wanted), key=lambda e: (e.rank, e.index))


def select(
    evidence: list[Evidence], max_sentences: int, near_best: float = NEAR_BEST
) -> list[Evidence]:
    """The best sentence and those close to it, in reading order."""
    if not evidence:
        return []
    floor = evidence[0].score - near_best
    chosen: list[Evidence] = [evidence[0]]
    seen = {" ".join(evidence[0].text.split()).lower()}
    for candidate in evidence[1:]:
        if len(chosen) == max_sentences or candidate.score < floor:
            break
        key = " ".join(candidate.text.split()).lower()
        if key in seen or len(key.split()) < MIN_WORDS:
            continue
        seen.add(key)
        chosen.append(candidate)
    return sorted(chosen, key=lambda e: (e.rank, e.index))


def compose(chosen: list[Evidence]) -> tuple[str, list[Citation]]:
    """Answer text with a marker after each run of sentences from one passage, and citations.

    A footnote marker of the text ("advisors[1].") is shown as a superscript ("advisors¹.")
    so it can't be taken for a citation marker; the citation quotes the text as it is.
    """
    return cite_claims([(shown(e.text), [(e.passage, e.index)]) for e in chosen])


def shown(sentence: str) -> str:
    """A sentence as an answer shows it: on one line, footnote markers as superscripts, and a
    reStructuredText "::" (a code block follows) as the colon it is rendered as."""
    flat = _LITERAL_BLOCK.sub(":", " ".join(sentence.split()))
    return _FOOTNOTE.sub(lambda m: m.group(1).translate(_SUPERSCRIPT), flat)


_LITERAL_BLOCK = re.compile(r"(?<=\S)::$")
_FOOTNOTE = re.compile(r"(?<=\S)\[(\d{1,3})\]")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
