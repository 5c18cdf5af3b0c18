"""Sentence boundaries with character offsets, so every sentence maps back to its exact lines."""

from __future__ import annotations

import re

# Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    "e.g i.e etc vs cf al fig figs eq eqs no nos mr mrs ms dr prof sr jr st mt approx "
    "ca est dept univ inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec "
    "sec secs ch vol pp p u.s u.k a.k.a ibid op viz resp".split()
)
# A candidate end: terminal punctuation, then closing quotes or brackets, then white space.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")
_WORD_BEFORE = re.compile(r"([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)\.$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split `text` into (start, end) offsets of sentences, stripped of surrounding white space.

    A line break also ends a sentence, because corpora like forum dumps put one paragraph on
    each line and quoted list items often lack final punctuation; a line break inside a
    sentence of hard-wrapped prose is the exception this gives up, in return for never
    merging two paragraphs into one quote.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if match.group() != "\n" and not _ends_sentence(text, match.start(), end):
            continue
        _add_span(text, start, end, spans)
        start = end
    _add_span(text, start, len(text), spans)
    return spans


def _ends_sentence(text: str, punct_at: int, end: int) -> bool:
    if text[punct_at] == "." and end - punct_at == 1:
        word = _WORD_BEFORE.search(text[max(0, punct_at - 12) : punct_at + 1])
        if word and (word.group(1).lower() in ABBREVIATIONS or len(word.group(1)) == 1):
            return False  # "e.g." or an initial such as "J."
    rest = text[end : end + 3].lstrip()
    # A sentence starts with a capital, a digit, a quote or bracket; "x. and" is not an end.
    return not rest or not rest[0].islower()


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
