"""Questions that compare things ("list.sort() vs sorted()", "the difference between X and Y"),
and whether a sentence speaks of one of the things compared.

An answer to a comparison must say something of each side. The best-matching sentences often
describe only one ("The range notation "HEAD..FETCH_HEAD" means ..." for a question about two
dots vs three), so the answer looks for the others (extractive.with_sides).
"""

from __future__ import annotations

import functools
import math
import re

from retrieval.search.keywords import terms

MAX_SIDE_WORDS = 6  # "plain git diff", "the o1 models": a side is a name, not a clause

_BETWEEN = re.compile(
    r"\b(?:diff(?:erence)?s?|distinction)\s+between\s+(?P<a>.+?)\s+and\s+(?P<b>.+)", re.IGNORECASE
)
# "how is a tuple different from a list", "next compared to seen"; not "my hash is different
# from 54196cc, why?", which states a difference and asks its cause.
_FROM = re.compile(
    r"\bhow\s+(?:is|are|does|do)\s+(?P<a>[^?,;:]+?)\s+differ(?:s|ent)?\s+from\s+(?P<b>.+)|"
    r"(?P<c>[^?,;:]+?)\s+compared\s+(?:to|with)\s+(?P<d>.+)",
    re.IGNORECASE,
)
_VERSUS = re.compile(r"\s+(?:vs\.?|versus)\s+", re.IGNORECASE)
# Where a side ends: punctuation that closes a clause, or the question going on about it
# ("genexp vs listcomp - when should i pick ..."; "x vs y, whats the difference").
_SIDE_END = re.compile(
    r"\s*(?:[?!;,(—–]|\s-\s|:\s|\.\s|\.$)|\s+(?:when|what|whats|what's|which|why|how|is|are|"
    r"in\s+terms|for|like|i\.e\.|e\.g\.|ie|eg)\b",
    re.IGNORECASE,
)
# Where a side begins, read backwards from "vs": the last such boundary before it.
_SIDE_START = re.compile(
    r".*(?:[?!;,:—–]\s*|\s-\s|^\W*(?:so|ok|and|but|hey)?\W*|\b(?:explain|compare|between|"
    r"about|of|is|are|use|pick|choose|prefer)\s+)",
    re.IGNORECASE,
)
# "how is it different from RLHF": the side is the thing named before, not a name to look for.
_PRONOUN = re.compile(
    r"^(?:it|this|that|they|them|these|those|one|ones|each|other|the other|he|she|you|we)$",
    re.IGNORECASE,
)
_CALL = re.compile(r"\(\)$")  # "sorted()" is "sorted"
_LEADING_WORDS = re.compile(r"^(?:the|a|an|plain|just|using|calling)\s+", re.IGNORECASE)


def compared_sides(question: str) -> tuple[str, ...]:
    """The things a question compares, as written ("list.sort()", "sorted()"); () if none."""
    text = " ".join(question.split())
    parts = _VERSUS.split(text)
    if len(parts) > 1:
        first = _SIDE_START.sub("", parts[0], count=1)
        sides = [first] + [_until_end(p) for p in parts[1:-1]] + [_until_end(parts[-1])]
        return _kept(sides)
    for pattern in (_BETWEEN, _FROM):
        match = pattern.search(text)
        if match:
            first, second = (match.group(g) for g in ("ab" if match.group("a") else "cd"))
            return _kept([_last_words(first), _until_end(second)])
    return ()


def _until_end(text: str) -> str:
    match = _SIDE_END.search(text)
    return text[: match.start()] if match else text


def _last_words(text: str) -> str:
    return " ".join(_SIDE_START.sub("", text, count=1).split()[-MAX_SIDE_WORDS:])


def _kept(sides: list[str]) -> tuple[str, ...]:
    cleaned = []
    for side in sides:
        side = _LEADING_WORDS.sub("", _CALL.sub("", side.strip(" \"'“”‘’`*?.,")))
        if (
            not side
            or len(side.split()) > MAX_SIDE_WORDS
            or not any(c.isalnum() for c in side)
            or _PRONOUN.match(side)
        ):
            return ()
        cleaned.append(side)
    if len(set(cleaned)) < 2:  # sides that differ only by case are two ("-d", "-D")
        return ()
    return tuple(cleaned)


def speaks_of(side: str, others: tuple[str, ...], sentence: str) -> bool:
    """Whether `sentence` is about `side`: it has the side as written, or, for a side of
    several words, most of those it does not share with the others ("generator expressions"
    for "generator expression" against "list comprehension"). One stemmed word is not enough:
    "sorts" would speak of "sorted"."""
    if _written(side, others).search(sentence):
        return True
    own = _own_words(side, others)
    if len(own) < 2:
        return False
    present = set(terms(sentence))
    return sum(t in present for t in own) >= math.ceil(len(own) / 2)


# A question's sides are tested against every retrieved sentence: worked out once per side.
@functools.lru_cache(maxsize=256)
def _own_words(side: str, others: tuple[str, ...]) -> tuple[str, ...]:
    shared = {t for other in others if other != side for t in terms(other)}
    return tuple(t for t in dict.fromkeys(terms(side)) if t not in shared)


@functools.lru_cache(maxsize=256)
def _written(side: str, others: tuple[str, ...]) -> re.Pattern:
    """The side as written, its words perhaps plural, not inside a longer token ("-d" is not
    "-dry"; ".." is not "..."); case counts only when the sides differ by nothing else ("-d"
    vs "-D")."""
    by_case = any(o != side and o.lower() == side.lower() for o in others)
    flags = 0 if by_case else re.IGNORECASE
    words = [re.escape(w) + r"(?:e?s)?" if w[-1].isalpha() else re.escape(w) for w in side.split()]
    return re.compile(r"(?<![\w.-])" + r"\s+".join(words) + r"(?![\w.])", flags)
