"""Whole thoughts, not fragments: a chosen sentence brings along what it points to.

A sentence that points forward ("... is a combination of:", "the following") is completed by
the sentences after it, and one that points back ("This is why ...", "in those cases") by the
one before it, but only within its own paragraph, so an answer never runs into the next post.
"""

from __future__ import annotations

import re

from retrieval.answer.evidence import Evidence
from retrieval.ingest.sentences import looks_wrapped
from retrieval.types import Passage

_POINTS_FORWARD = re.compile(
    r"(?::|\b(?:following|as follows|combination of|consists? of|namely|include|includes|"
    r"including|such as|e\.g\.|i\.e\.))\W*$",
    re.IGNORECASE,
)
_POINTS_BACK = re.compile(
    r"^\W*(?:this|that|these|those|it|they|such|thus|therefore|hence|here|in particular|"
    r"specifically|in other words|moreover|furthermore|that said)\b|"
    r"\b(?:those|these|such) (?:cases|ones|reasons|arguments|points)\b",
    re.IGNORECASE,
)
MAX_FORWARD = 2  # sentences a forward pointer may bring along
MAX_EXTRA = 3  # sentences extension may add to an answer in all


def points_back(sentence: str) -> bool:
    return bool(_POINTS_BACK.search(sentence))


def points_forward(sentence: str) -> bool:
    return bool(_POINTS_FORWARD.search(sentence.rstrip()))


def extend(chosen: list[Evidence], evidence: list[Evidence]) -> list[Evidence]:
    """`chosen` with the sentences its members point to, in reading order."""
    by_place = {e.place: e for e in evidence}
    wanted = {e.place: e for e in chosen}
    added = 0
    for item in sorted(chosen, key=lambda e: (e.rank, e.index)):
        for place in _pointed_to(item):
            if added < MAX_EXTRA and place not in wanted and place in by_place:
                target = by_place[place]
                if not target.is_heading:
                    wanted[place] = target
                    added += 1
    return sorted(wanted.values(), key=lambda e: (e.rank, e.index))


def _pointed_to(item: Evidence) -> list[tuple[str, int]]:
    passage, index = item.passage, item.index
    places = []
    if _POINTS_BACK.search(item.text) and index > 0 and same_paragraph(passage, index - 1):
        places.append((passage.id, index - 1))
    following = index
    while (
        len(places) < MAX_FORWARD + 1
        and _POINTS_FORWARD.search(passage.sentence_text(following).rstrip())
        and following + 1 < len(passage.sentences)
        and same_paragraph(passage, following)
    ):
        following += 1
        places.append((passage.id, following))
    return places


def same_paragraph(passage: Passage, index: int) -> bool:
    """Whether sentence `index` and the one after it belong to one paragraph."""
    gap = passage.text[passage.sentences[index].end : passage.sentences[index + 1].start]
    if re.search(r"\n[ \t]*\n", gap):
        return False
    return "\n" not in gap or looks_wrapped(passage.text)
