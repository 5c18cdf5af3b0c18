"""Questions that ask what a term means, and whether the evidence says.

Forum texts name many terms they never explain ("I don't see e.g. the reversal curse as strong
evidence"). A sentence that only names the term sits very close to "what is the reversal
curse" in embedding space, yet does not answer it. So a definition question is answered only
when some retrieved sentence glosses the term: "X is a ...", "X means", "X (...)", "X: ...",
"X — ...", "X, which ...", "called X", "by X I mean", "a (new) kind of ... X", "a concept of
X", "A X takes ...", a footnote on X, or a next sentence that starts "It is a ..." / "They are
a ...".
"""

from __future__ import annotations

import re

_LEAD = (
    r"^\W*(?:(?:so|ok|okay|and|but|hey|hi|also|sorry|wait|hmm+|quick q(?:uestion)?|pls|please)"
    r"\W+)*"
)
_ARTICLE = r"(?:(?:a|an|the|this|that)\s+)?"
_OPEN, _CLOSE = r"[\"'“‘*]?", r"[\"'”’*]?"
_TERM = r"(?P<term>[^?\"“”]+?)"
# What may end a definition question: "?", or asking how the thing works or why it matters
# ("what is RLHF and how does it work") or what it is supposed to mean.
_TAIL = (
    r"(?:\s+(?:exactly|actually|really|precisely|again))?(?:\s+supposed\s+to\s+(?:mean|be))?(?:\s*,?\s+and\s+(?:how|why|what|does|is|are)\b[^?]*)?"
    r"\s*[?.!]*\s*$"
)
_HEDGE = r"(?:(?:exactly|actually|even|really|precisely)\s+)?"
_WHO = r"(?:people|you|they|we|folks|he|she|the\s+(?:author|post|commenters?|texts?))"
_ASKS_DEFINITION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # "what do people mean by open agency": the term follows "by", not the subject.
        rf"\bwhat\s+(?:do|does|did)\s+{_WHO}\s+(?:\w+\s+)?mean\s+by\s+{_ARTICLE}{_OPEN}{_TERM}{_CLOSE}"
        rf"(?:{_TAIL}|\s+(?:in|here|there)\b)",
        rf"{_LEAD}(?:what(?:'s|’s|\s+{_HEDGE}is|\s+{_HEDGE}are|s)|whats)\s+{_HEDGE}{_ARTICLE}"
        rf"{_OPEN}{_TERM}{_CLOSE}"
        rf"{_TAIL}",
        # A quoted term marks its own ends: "what exactly is the 'sweet spot' in that post".
        rf"\bwhat(?:'s|’s|\s+{_HEDGE}is|\s+{_HEDGE}are|s)\s+{_HEDGE}{_ARTICLE}[\"'“‘]"
        rf"(?P<term>[^\"'”’?]+)[\"'”’](?:{_TAIL}|\s*,|\s+(?:in|from|of|that|mentioned|here)\b)",
        rf"\b(?:explain|define|definition of|meaning of|what is meant by)\s+(?:what\s+)?{_ARTICLE}"
        rf"{_OPEN}{_TERM}{_CLOSE}(?:\s+(?:actually\s+|even\s+|really\s+|exactly\s+)?"
        rf"(?:is|are|means?))?{_TAIL}",
        rf"\bwhat\s+(?:does|do|did)\s+(?:the\s+(?:term|word|phrase)\s+)?{_OPEN}{_TERM}{_CLOSE}\s+"
        rf"(?:even\s+|actually\s+|really\s+|exactly\s+)?mean\b",
        rf"{_LEAD}{_OPEN}{_TERM}{_CLOSE}\s*[-:]?\s*(?:definition|meaning)\??{_TAIL}",
        rf"{_LEAD}{_OPEN}{_TERM}{_CLOSE}\s*=\s*\?",  # "mundane adversarial training = ?"
        # "safety range, what does that mean in the post"
        rf"{_LEAD}{_OPEN}{_TERM}{_CLOSE}\s*[,:-]+\s*what\s+(?:does|do)\s+(?:that|it|this|they)\s+"
        rf"(?:even\s+|actually\s+|really\s+|exactly\s+)?mean\b",
    )
]
MAX_TERM_WORDS = 5
_PRONOUN = re.compile(
    r"^(?:it|that|this|they|these|those|he|she|them|people|you|we|folks)$", re.IGNORECASE
)
_NOT_A_TERM_END = re.compile(r"\b(?:about|for|of|in|on|to|with|from|by|like|here|there)$", re.I)
# "what is your token", "what is the value of X": asking for a thing's attribute, not a meaning.
_NOT_A_TERM_START = re.compile(
    r"^(?:your|my|his|her|their|our|its|(?:(?:numeric|default|exact|actual|real|full|current)\s+)?"
    r"(?:value|name|number|size|price|cost|date|title|result|purpose|point|role|status|source|"
    r"length|amount|author)\s+of)\b",
    re.IGNORECASE,
)
# "the recommended way to name loggers", "the credential manager called on mac": a way or a
# name is asked for, not what a term means.
# ("the nvidia stock thing someone mentioned", "the gold coins example": what the texts say of
# it is asked, not a meaning a sentence must give.)
_NOT_A_TERM = re.compile(
    r"\b(?:way|ways|how)\s+to\b|\b(?:called|named|thing|things|stuff|example|analogy|comment)\b",
    re.IGNORECASE,
)
# "the 5 in serversocket.listen(5)", "the number passed to listen()": what a value does where it
# stands is asked, which no sentence glosses as "X is ...". "recv returned 0 bytes", "git says
# detached HEAD": a clause, an event whose meaning is asked, not a term.
_VALUE_IN_PLACE = re.compile(
    r"^(?:the\s+)?(?:(?:number|value|digit|argument)\s+)?(?:\d+\s+)?(?:in|passed\s+to|given\s+to)"
    r"\s+\S|^(?:the\s+)?(?:number|value|digit|argument)\s+\d+\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(
    r"^\S+\s+(?:(?!\w*eed\b)\w{2,}ed|says|said|gave|gives|got|gets|shows|showed|prints|threw|"
    r"throws|raises|keeps|kept|tells|told)\s+\S",
    re.IGNORECASE,
)

# What may follow the term (after up to three more words) or precede it, to gloss it.
_GLOSS_AFTER = re.compile(
    r"^(?:\s*[\"'”’*])?(?:\s*\[\d+\])?(?:\s+[\w-]+){0,3}?[\"'”’*]?\s*"
    r"(?:[:(—–]|\s-\s|,\s*(?:i\.e\.|that is|which|or|a|an|meaning)\b|"
    r"\s+(?:is|are|was|were)\s+(?:a|an|the|when|where|what|how|that|basically|essentially|"
    r"roughly|just|simply)\b|\s+(?:means?|meant|refers?\s+to|denotes?|designates?|"
    r"describes?|stands?\s+for|(?:is|are)\s+(?:\w+\s+)?used\s+(?:to|for)\s+(?:mean|designate|"
    r"denote|describe|refer|name)\w*)\b)"
    r"|^(?:\s*[\"'”’*])?\s*\[\d+\]",
    re.IGNORECASE,
)
_GLOSS_BEFORE = re.compile(
    r"\b(?:called|known\s+as|term(?:ed)?|i\s+call|we\s+call|dubbed|i\.e\.,?|namely)"
    r"(?:\s+(?:a|an|the))?\s*[\"'“‘*`]{0,2}$|"
    # The class it belongs to, introduced just before it: "a third category of labour ... X".
    # ("The type of path-dependence/slack" names no class: the article is definite.)
    r"\b(?:a|an|one)\s+(?:\w+\s+)?(?:category|kind|type|form|sort|class|variety|concept|notion)"
    r"\s+of\b"
    r"[^.?!:;]{0,60}$",
    re.IGNORECASE,
)

_PRONOUN_GLOSS = re.compile(
    r"(?:it|they|this|these|that|which)(?:'s|’s|\s+(?:is|are|was|were))\s+(?:a|an|the|when|where|"
    r"what|how|basically|essentially|roughly|just|simply)\b|(?:it|this|that)\s+(?:means|refers\s+to)\b|"
    # "This internal handler is ...": the thing just named, described under a noun of its kind.
    r"(?:this|these)\s+(?:[\w-]+\s+){1,2}(?:is|are)\b",
    re.IGNORECASE,
)

# A sentence about "a X" in general that says what one does: documentation defines that way.
_OPENS_AS_A = re.compile(r"^\W*(?:a|an)\s+[*_`\"'“‘]*$", re.IGNORECASE)
_DOES = re.compile(r"^[*_`\"'”’]*\s+(?!is\b|was\b|has\b)[a-z]+s\b")
_I_MEAN = re.compile(r"(?:i|we|they|he|she|you)\s+mean\b")


def defined_term(question: str) -> str | None:
    """The term a "what is X" / "define X" / "what does X mean" question asks about."""
    for pattern in _ASKS_DEFINITION:
        match = pattern.search(question.strip())
        if match is None:
            continue
        term = match.group("term").strip(" \"'“”‘’*,")
        if (
            0 < len(term.split()) <= MAX_TERM_WORDS
            and not _NOT_A_TERM_END.search(term)
            and not _NOT_A_TERM_START.search(term)
            and not _NOT_A_TERM.search(term)
            and not _VALUE_IN_PLACE.search(term)
            and not _CLAUSE.search(term)
            and not _PRONOUN.match(term)
        ):
            return term
    return None


def glosses(term: str, sentence: str) -> bool:
    """Whether `sentence` says what `term` is, rather than only using it."""
    words = [re.escape(w) for w in re.split(r"[\s-]+", term) if w]
    pattern = re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"(?:e?s)?(?!\w)", re.IGNORECASE)
    for match in pattern.finditer(sentence):
        by_name = _GLOSS_BEFORE.search(sentence, 0, _before_quote(sentence, match.start()))
        if by_name or _GLOSS_AFTER.search(sentence[match.end() :]) or _by_x_i_mean(sentence, match):
            return True
        if _OPENS_AS_A.match(sentence[: match.start()]) and _DOES.match(sentence[match.end() :]):
            return True  # "A **higher-order function** takes one or more functions as input"
    return False


def glossed_by_next(sentence: str) -> bool:
    """Whether a sentence goes on to say what the previous one named: "They are a way of ..."."""
    return _PRONOUN_GLOSS.match(sentence.strip()) is not None


def _before_quote(sentence: str, start: int) -> int:
    return start - 1 if start and sentence[start - 1] in "\"'“‘*" else start


def _by_x_i_mean(sentence: str, match: re.Match) -> bool:
    before = sentence[: _before_quote(sentence, match.start())].rstrip().lower()
    after = sentence[match.end() :].lstrip("\"'”’*, ").lower()
    return before.endswith(" by") and _I_MEAN.match(after) is not None
