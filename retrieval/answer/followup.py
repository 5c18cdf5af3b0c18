"""Turning a follow-up ("what about the second one?") into a question that stands alone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.answer.analysis import is_acknowledgement
from retrieval.errors import NoSuchCitationError
from retrieval.search.keywords import content_words, terms
from retrieval.types import Turn

_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
}
_ORDINAL = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th)\b(?:\s+(?:one|point|source|"
    r"quote|citation|part|item))?|\[(\d{1,2})\]|#(\d{1,2})\b|\b(?:source|citation|point|"
    r"number)\s+(\d{1,2})\b",
    re.IGNORECASE,
)
# A reference that can only mean a citation ("point 2", "the 2nd premise" may be the texts').
_EXPLICIT = re.compile(r"^[\[#]|\b(?:one|source|quote|citation)\b", re.IGNORECASE)
# A message that leans on the one before: it opens as a continuation ("and ...", "what about
# ...", "go on"), or points back with a pronoun and says little else, or has no words of its own.
_CONTINUES = re.compile(
    r"^\W*(?:(?:ok|okay|right|hm+)\W+)?(?:and|but|so|also|then|what about|how about|how so|"
    r"how come|more|elaborate|go on|continue|tell me more|say more|which one|examples?|"
    r"sources?|really)\b|"
    # "give me an example": of what the last answer said (one "of" something stands alone)
    r"^\W*(?:(?:can|could)\s+(?:you|u)\s+)?(?:give|show)\s+(?:me\s+|us\s+)?"
    r"(?:an?\s+|some\s+|another\s+)?(?:example|examples|instance|source|sources)\W*$",
    re.IGNORECASE,
)
# "what would go in one", "the other ones?": "one" standing for a thing just named
_ONE = r"\b(?:one|ones)\W*$"
_STANDS_FOR_ONE = re.compile(_ONE, re.IGNORECASE)
_POINTS_BACK = re.compile(
    r"\b(?:it|its|they|them|their|this|that|these|those|he|she|him|his|her|the same|"
    rf"the former|the latter)\b|{_ONE}",
    re.IGNORECASE,
)
# Shapes of a question about what was just said: a reason ("why only partly?") or a
# qualification ("any catch?", "anything else?").
_MAY_LEAN = re.compile(
    r"^\W*(?:(?:ok|okay|so|and|but|hm+|interesting|cool|nice|right)\b\W*)*(?:why|any|anything)\b",
    re.IGNORECASE,
)
_NAMES_NOTHING = frozenset(
    terms(
        "ok okay hmm wait well yeah lol "
        "came come comes coined coin invented invent wrote write written writes proposed "
        "propose argued argue argues said says say meant mean means believe believes thinks "
        "think thought suggested suggest introduced introduce explained explain made make "
        "work works happened happen started start used use"
    )
)
# "he", "his", "her": a person, whom only a name or a word for a person can stand for in the
# message itself ("does Nora think she ...", "the author ... his report"): "the example he used"
# and "which models does he mean" take him from the conversation.
_PERSONAL = re.compile(r"^(?:he|she|him|his|her|hers)$", re.IGNORECASE)
_SOMEONE = re.compile(
    r"(?<=\w)\W+[A-Z][a-z]|(?i:\b(?:author|writer|commenter|critic|poster|person|people|guy|"
    r"someone|somebody|user|reader|developer|maintainer|op)s?\b)"
)
# "which models", "what section", "how many sources": what the question asks for, which a
# pronoun after it cannot stand for ("which section was that in?").
_ASKED_FOR = re.compile(
    r"^\W*(?:(?:ok|okay|so|and|but|wait|hm+)\W+)*(?:which|what|how many|how much)\s+"
    r"(?:\w+\s+){0,2}?(?=(?:do|does|did|is|was|are|were|has|have|had|can|could|would|"
    r"should|will)\b)",
    re.IGNORECASE,
)
# "which paper was it where ...": "it" announces what follows, it points at nothing.
_CLEFT = re.compile(r"it\s+(?:where|that|which|who|when)\b", re.IGNORECASE)
MAX_FOLLOW_UP_TERMS = 4  # "why was that?" leans on the answer; a question this long stands
MAX_BARE_ORDINAL_TERMS = 3  # "and the second?", "what about the 2nd point": a citation


@dataclass(frozen=True)
class Resolved:
    """The question as retrieval should read it, and whether it leans on the conversation."""

    text: str
    dependent: bool = False
    follows_refusal: bool = False  # it leans on a turn the bot could not answer
    # A short message that may stand alone ("any catch?", "why only partly?") read with the
    # conversation: tried when the message alone finds nothing in the texts.
    leaning: str = ""


def depends_on_history(question: str) -> bool:
    """Whether the message only makes sense after the previous turn ("why?", "and the second?")."""
    own = _own_terms(question)
    if not own or _CONTINUES.search(question):
        return True
    pointer = _POINTS_BACK.search(question)
    if pointer is None or len(own) > MAX_FOLLOW_UP_TERMS:
        return False
    if _STANDS_FOR_ONE.search(question):  # "what would go in one"
        return True
    # "which of those two does the report argue for": nothing before the pronoun for it to
    # take up. In "what is the GIL and does it affect threads" it takes up the message's own
    # words (a standalone question misread this way: 24 of 469 before, 4 after; follow-ups
    # of the protocol sets found: 10 of 13 before, 8 after, and 2 more by `may_lean`).
    # Verbs of saying and making, and interjections, name nothing a pronoun could stand for:
    # in "ok who came up with it?" or "why does he argue that" it takes up the last answer.
    before = question[: pointer.start()]
    if _CLEFT.match(question, pointer.start()):
        return False
    someone = _SOMEONE.search(before)
    if someone or _PERSONAL.match(pointer.group()):
        return someone is None
    asked_for = _ASKED_FOR.match(before)
    before = before[asked_for.end() :] if asked_for else before
    return not [t for t in _own_terms(before) if t not in _NAMES_NOTHING]


def referenced_citation(question: str, previous: Turn) -> int | None:
    """The number of the earlier citation the question points at ("the second one" is 2).

    An explicit reference to a citation the last answer did not have ("[3]", "source 3",
    "the third one" after two sources) is a QuestionError that says how many there were; a
    bare ordinal ("the second premise") may be about the texts and is left alone.
    """
    match = _ORDINAL.search(question)
    if not match:
        return None
    word, *digits = match.groups()
    number = _ORDINALS[word.lower()] if word else int(next(d for d in digits if d))
    if "last" in question.lower().split():
        number = len(previous.citations)
    explicit = bool(_EXPLICIT.search(match.group()))  # "[3]", "#3", "source 3", "the third one"
    if not explicit and len(_own_terms(question)) > MAX_BARE_ORDINAL_TERMS:
        return None  # "how long should the first line be?" asks about the texts' first line
    if 1 <= number <= len(previous.citations):
        return number
    if explicit:
        raise NoSuchCitationError(number, len(previous.citations))
    return None


def resolve(question: str, history: Sequence[Turn]) -> Resolved:
    """The question with what it leans on from the conversation spelled out, for retrieval.

    A question that stands alone is taken as new, whatever came before; one that leans on a
    turn the bot refused has nothing to lean on.
    """
    if not history or is_acknowledgement(question):
        return Resolved(question)
    previous = history[-1]
    number = referenced_citation(question, previous)
    if number is not None:
        quote = " ".join(previous.citations[number - 1].quote.split())
        return Resolved(f"{question} (about: {quote})", True)
    if depends_on_history(question) and previous.refused:
        # What the refused question asked for ("how much slower", "who wrote") is not asked
        # again: only what it was about, for the follow-up's words to point at.
        about = " ".join(content_words(previous.question))
        return Resolved(f"{question} {about}", True, True)
    if depends_on_history(question):
        return Resolved(f"{previous.question} {question}", True)
    if previous.refused or not may_lean(question, previous):
        return Resolved(question)
    return Resolved(question, leaning=f"{previous.question} {question}")


def may_lean(question: str, previous: Turn) -> bool:
    """Whether a message that reads as standing alone may ask about the last answer: a "why
    ..." or "any ...?" that names one thing at most ("any catch?") or takes up a word of the
    last turn ("why only partly silly though" after "is it silly to ask ..."). "Why is the
    sky blue" and "what is the capital of France" are new questions, whatever they find."""
    opener = _MAY_LEAN.match(question)
    if not opener:
        return False
    own = _own_terms(question[opener.end() :])
    said = set(terms(f"{previous.question} {previous.answer}"))
    parts = {part for term in own for part in term.split("-")}  # "pro-cyborgism"
    return len(own) <= 1 or not parts.isdisjoint(said)


def _own_terms(question: str) -> list[str]:
    return [t for t in terms(question) if len(t) > 1]


def standalone_question(question: str, history: Sequence[Turn]) -> str:
    return resolve(question, history).text
