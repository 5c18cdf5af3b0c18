"""Across a passage's edge: a lead-in and the block it introduces, cut into two passages.

The chunker cuts documentation between paragraphs, so "The easiest way to do so is:" can end
one passage while the commands it introduces open the next. An answer that quotes the lead-in
alone says nothing, and one that quotes bare commands does not say what they do. So when a
chosen sentence is such a lead-in at its passage's end, or the list it introduces runs to the
passage's end ("... grouped into four categories:" with only the first item left in it), the
answer brings the block that opens the next passage of the same file; and when a chosen line of
code belongs to a block that opens its passage, the answer brings the lead-in that ends the
passage before. A FAQ's answer, cut where its passage ends, goes on with the paragraph that
opens the next (gitfaq's "What kinds of problems can occur ...?" gives the reason there).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from retrieval.answer.evidence import Evidence, is_heading_at
from retrieval.answer.spans import (
    answer_paragraph,
    asks_paragraph_below,
    block_from,
    in_block,
    introduced_block,
    introduces,
    names_block_below,
    paragraph_end,
    same_paragraph,
    wrapped,
)
from retrieval.types import Passage

LEAD_IN_WORDS = 3
# The passage of the same file just after (True) or before (False) a passage, if any.
Neighbour = Callable[[Passage, bool], "Passage | None"]


def continued(
    chosen: list[Evidence], neighbour: Neighbour, query_vector: np.ndarray | None
) -> list[Evidence]:
    """`chosen` with the block or lead-in that stands across a passage's edge from it."""
    out: list[Evidence] = []
    done: set[tuple[str, bool]] = set()
    for position, item in enumerate(chosen):
        before = chosen[position - 1] if position else None
        if _opens_run(before, item) and (item.passage.id, False) not in done:
            done.add((item.passage.id, False))
            out.extend(_lead_in_before(item, neighbour, query_vector))
        out.append(item)
        after = chosen[position + 1] if position + 1 < len(chosen) else None
        goes_on = (
            _ends_on_lead_in(item, after)
            or _ends_introduced_list(item, after, chosen)
            or _names_block_past_end(item, after, chosen)
        )
        if (item.passage.id, True) in done:
            continue
        asks = not goes_on and _asks_at_end(item, after)
        extra: list[Evidence] = []
        if goes_on:
            extra = _block_after(item, neighbour, query_vector)
        elif asks:
            extra = _answer_after(item, neighbour, query_vector)
        if not extra and _answer_runs_past_end(item, after, chosen):
            extra = _rest_of_answer(item, neighbour, query_vector)
        if goes_on or asks or extra:
            done.add((item.passage.id, True))
        out.extend(extra)
    return _unique(out)


_ASKS = re.compile(r"\?[\W_]*$")  # "...?", or a definition list's "...?::"


def _answer_runs_past_end(item: Evidence, after: Evidence | None, chosen: list[Evidence]) -> bool:
    """Whether `item` ends its passage's prose (markup may follow) and answers a question that
    a chosen sentence of the passage asks before it (a FAQ's entry, "What kinds of problems
    can occur ...?::" and its answer): the chunker may have cut the answer, which goes on in
    the next passage."""
    passage = item.passage
    prose = [i for i in range(len(passage.sentences)) if not is_heading_at(passage, i)]
    if not prose or item.index < prose[-1] or not _ends_run(item, after):
        return False
    return any(
        lead.passage is passage and lead.index < item.index and _asks_as_entry(lead)
        for lead in chosen
    )


def _asks_as_entry(item: Evidence) -> bool:
    """Whether the sentence is a question that opens its paragraph or ends its line, as a
    FAQ's entry does ("What can you do if ...? If you know ..."); a question in the middle of
    a line of forum prose is a commenter's ("Is your basic thought something like ...?"), and
    what follows it is no answer to the member's."""
    passage, index = item.passage, item.index
    if not _ASKS.search(item.text):
        return False
    # The chunker cuts wrapped prose between paragraphs, so there a passage's first sentence
    # opens one; a long line of forum prose it cuts anywhere.
    if not same_paragraph(passage, index - 1) if index else wrapped(passage):
        return True
    following = index + 1
    end = passage.sentences[following].start if following < len(passage.sentences) else None
    return end is None or "\n" in passage.text[passage.sentences[index].end : end]


def _rest_of_answer(item: Evidence, neighbour: Neighbour, query_vector) -> list[Evidence]:
    """The paragraph that opens the next passage, unless it opens another entry (a heading,
    or a paragraph that asks)."""
    following = neighbour(item.passage, True)
    if following is None:
        return []
    # A list item's continuation mark ("+") may open the passage: the answer goes on after it.
    worded = (i for i in range(len(following.sentences)) if _has_words(following, i))
    start = next(worded, None)
    if start is None or is_heading_at(following, start):
        return []
    opening = answer_paragraph(following, start)
    if any(_ASKS.search(following.sentence_text(i)) for i in opening):
        return []
    return [_evidence(following, i, item.rank, query_vector) for i in opening]


def _has_words(passage: Passage, index: int) -> bool:
    return any(c.isalnum() for c in passage.sentence_text(index))


def _ends_introduced_list(item: Evidence, after: Evidence | None, chosen: list[Evidence]) -> bool:
    """Whether `item` is its passage's last sentence and the last line of a list that an
    earlier chosen sentence of the passage introduced: the list goes on in the next passage."""
    last = len(item.passage.sentences) - 1
    if item.index != last or not _ends_run(item, after):
        return False
    return any(
        lead.passage is item.passage
        and lead.index < last
        and introduced_block(lead.passage, lead.index)[-1:] == [(item.passage.id, last)]
        for lead in chosen
    )


def _ends_run(item: Evidence, after: Evidence | None) -> bool:
    """Whether `item` is the last chosen sentence of its passage: `after`, the next chosen
    one, is of another passage or there is none."""
    return after is None or after.passage is not item.passage


def _names_block_past_end(item: Evidence, after: Evidence | None, chosen: list[Evidence]) -> bool:
    """Whether `item` is the last chosen sentence of its passage and a chosen sentence of it
    speaks of the block after its paragraph ("... in the following table."), a paragraph that
    ends the passage: the block opens the next one."""
    passage = item.passage
    if not _ends_run(item, after):
        return False
    last = len(passage.sentences) - 1
    return any(
        lead.passage is passage
        and names_block_below(passage, lead.index)
        and paragraph_end(passage, lead.index) == last
        for lead in chosen
    )


def _opens_run(before: Evidence | None, item: Evidence) -> bool:
    """Whether `item` is a line of a code block that opens its passage, and the answer does
    not already show what comes before it."""
    if before is not None and before.passage is item.passage:
        return False
    return all(in_block(item.passage, i) for i in range(item.index + 1))


def _ends_on_lead_in(item: Evidence, after: Evidence | None) -> bool:
    """Whether `item` is the lead-in that ends its passage."""
    return item.index == _closing_lead_in(item.passage) and _ends_run(item, after)


def _closing_lead_in(passage: Passage) -> int | None:
    """The index of the sentence that ends the passage and introduces what follows it, if one
    does: a prose sentence that ends in a colon, or one followed only by a "::" of its own
    ("... the shortest iterable. ::", reStructuredText: the "::" shows nothing)."""
    last = len(passage.sentences) - 1
    marked = last > 0 and passage.sentence_text(last).strip() == "::"
    if marked:
        last -= 1
    if last < 0 or in_block(passage, last):
        return None
    return last if marked or introduces(passage.sentence_text(last)) else None


def _asks_at_end(item: Evidence, after: Evidence | None) -> bool:
    """Whether `item` is a question standing alone that ends its passage: the next one
    opens with its answer."""
    passage = item.passage
    last = len(passage.sentences) - 1
    return item.index == last and _ends_run(item, after) and asks_paragraph_below(passage, last)


def _answer_after(item: Evidence, neighbour: Neighbour, query_vector) -> list[Evidence]:
    following = neighbour(item.passage, True)
    if following is None or not following.sentences or is_heading_at(following, 0):
        return []
    return [
        _evidence(following, i, item.rank, query_vector) for i in answer_paragraph(following, 0)
    ]


def _block_after(item: Evidence, neighbour: Neighbour, query_vector) -> list[Evidence]:
    following = neighbour(item.passage, True)
    if following is None:
        return []
    return [_evidence(following, i, item.rank, query_vector) for i in block_from(following, 0)]


def _lead_in_before(item: Evidence, neighbour: Neighbour, query_vector) -> list[Evidence]:
    previous = neighbour(item.passage, False)
    last = _closing_lead_in(previous) if previous is not None else None
    if last is None or is_heading_at(previous, last):
        return []
    if len(previous.sentence_text(last).split()) < LEAD_IN_WORDS:  # "For example:" says nothing
        return []
    return [_evidence(previous, last, item.rank, query_vector)]


def _evidence(passage: Passage, index: int, rank: int, query_vector) -> Evidence:
    vectors = passage.sentence_vectors
    similarity = 0.0
    if query_vector is not None and vectors is not None and len(vectors) > index:
        similarity = float(vectors[index] @ query_vector)
    return Evidence(passage, rank, index, similarity, 0.0)


def _unique(items: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, int]] = set()
    out = []
    for item in items:
        if item.place not in seen:
            seen.add(item.place)
            out.append(item)
    return out
