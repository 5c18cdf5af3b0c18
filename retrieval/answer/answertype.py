"""What kind of answer a question asks for, and whether the evidence holds one of that kind.

A question that asks for an amount ("how many", "what percentage") or a time ("when", "what
year") is not answered by sentences that hold none, however close they are in meaning: "what
number did the calculation in 4.4.2 give" sits right beside "the report includes a rough
calculation in section 4.4.2". The answerer lowers its relevance for such questions (the
classic answer-type check of extractive question answering).
"""

from __future__ import annotations

import re
from enum import Enum


class AnswerType(Enum):
    AMOUNT = "amount"
    COUNT = "count"  # "how many": an amount, or a list whose items can be counted
    YEAR = "year"  # a calendar date: "what year", "what date"
    TIME = "time"  # "when": a date, or an event or period it is placed by
    PERSON = "person"  # "who is X", "who wrote X": a name
    VERSION = "version"  # "which Python version added X": a version ("3.8", "Claude 3")
    EXPANSION = "expansion"  # "what does X stand for": what the letters of X are short for


_ASKS_AMOUNT = re.compile(
    r"\bhow (?:many|much|long|often|old|likely|big|large|fast)\b|\bwhat (?:\w+ )?(?:percentage|"
    r"percent|proportion|number|amount|fraction|probability|price|cost|figure|share)\b|"
    r"p\(doom\)|\bodds\b|\bprobability\b",
    re.IGNORECASE,
)
_ASKS_VERSION = re.compile(
    r"\b(?:which|what)\s+(?:[\w.-]+\s+)?(?:version|release)\b|\bsince when\b", re.IGNORECASE
)
# A version: dotted numbers ("3.8", "2.28.0"), or a capitalised name and its number ("Python 3",
# "GPT-4", "Claude 3 Opus").
_VERSION = re.compile(r"(?<![\w.])\d+(?:\.\d+)+(?![\w.]\w)|\b[A-Z][\w]*[ -]\d+(?:\.\d+)*\b")
_ASKS_EXPANSION = re.compile(r"\bstands?\s+for\b|\bshort\s+for\b", re.IGNORECASE)
# What is expanded: "what does 'ort' stand for", "what do the letters n h s l stand for".
_EXPANDED = re.compile(
    r"\bwhat(?:'s|\s+(?:does|do|did|is|are))\s+(.+?)\s+(?:\w+\s+)?(?:stands?|short)\s+for\b",
    re.IGNORECASE,
)
_NOT_EXPANDED = frozenset(
    "the a an name names letter letters of in word words acronym this that".split()
)
# How a text spells out what letters stand for: '"n" means *network*', "UTF stands for ...".
_EXPANDS = re.compile(
    r"\bstands?\s+for\b|\bshort\s+for\b|\bmeans?\b|\babbreviat\w*|\bacronym\b|\bshort form\b",
    re.IGNORECASE,
)
_ASKS_COUNT = re.compile(r"\bhow many\b", re.IGNORECASE)
# "How many" of a unit of measure asks for a number; of things ("premises", "stages") it may be
# answered by a list of them.
_ASKS_MEASURE = re.compile(
    r"\bhow many\s+(?:\w+\s+)?(?:(?:milli|micro|nano)?seconds?|minutes?|hours?|days?|weeks?|"
    r"months?|years?|(?:kilo|mega|giga)?bytes?|bits?|[kmgt]b|characters?|chars?|code points?|"
    r"pages?|lines?|words?|tokens?|steps?|times?|dollars?|euros?|percent)\b",
    re.IGNORECASE,
)
# "a) ...", "(1) and (2)", "firstly": the items of a list answer "how many".
_LIST_ITEM = re.compile(
    r"(?:^|(?<=\s))\(?(?:[a-h]|[1-9]|i{1,3}|iv|v|vi)\)(?=\s)|\b(?:first(?:ly)?|secondly|thirdly|"
    r"finally)\b",
    re.IGNORECASE,
)
_WHEN = r"\bwhen(?:'s|’s| is| was| were| will| did| does| do)\b"
_ASKS_YEAR = re.compile(
    r"\b(?:what|which) (?:year|date|month|day)\b|"
    # Things that are made or happen once are dated: "when did the report come out".
    rf"{_WHEN}.*\b(?:(?:come|came|coming) out|released?|publish(?:ed)?|launch(?:ed)?|founded|"
    r"born|died|written|announced|created|invented|introduced|dropp?ing|drop)\b",
    re.IGNORECASE,
)
_ASKS_TIME = re.compile(_WHEN, re.IGNORECASE)
# "When do I use which", "when is it ok to merge", "when is the generator the better choice":
# the circumstances are asked for, which the texts give in any words ("if you ...", "for
# large inputs ..."), not a time.
_ASKS_CIRCUMSTANCES = re.compile(
    r"\bwhen(?:'s|’s|\s+is|\s+are|\s+does|\s+do|\s+should|\s+would|\s+can)\s+"
    r"(?:i|you|u|we|one|it)\b|"
    r"\bwhen\b[^?.]*\b(?:better|best|preferred|prefer|worth|matters?|ok|okay|safe|"
    r"appropriate|a good idea|recommended)\b",
    re.IGNORECASE,
)
# Who someone is, who made or said something, is answered by a name. ("Who does that convince"
# or "who brought it up" may be answered by "people who ..." or "a commenter": not checked.)
_ASKS_PERSON = re.compile(
    # ("who is allowed to push tags", "who is responsible for ...": whoever meets a condition,
    # a role as often as a name: "the release manager", "members of the group")
    r"\bwho(?:'s|’s|\s+is|\s+was)\s+(?!\w+ing\b|(?:allowed|permitted|able|supposed|"
    r"responsible|expected|meant|likely|right|wrong|correct)\b)(?:the\s+|this\s+|that\s+)?"
    r"[\w'-]+|"
    r"\bwho\s+(?:originally\s+|first\s+|actually\s+)?(?:wrote|authored|came\s+up\s+with|coined|"
    r"invented|founded|started|created|originated|said|says|argued|argues|claimed|claims|"
    r"suggested|proposed|posted)\b|\bwho\s+(?:was|is|were)\s+\w+\s+(?:replying|responding)\s+to\b",
    re.IGNORECASE,
)
# A capitalised word inside a sentence: a name ("Nora", "Claude", "OpenAI").
_NAME = re.compile(r"(?<=[\s(,;])[A-Z][a-z]+(?:[A-Z][a-z]*)*\b")
# What tells a person's name from a product's ("Claude", "Nvidea", "Timsort"): a name of
# several words ("Randal L. Schwartz", "Fredrik Lundh"), or one that acts or is credited
# ("Nora argued", "by Carl", "Schwartz, who popularized it", "you and Nora").
_PERSON_BEFORE = re.compile(r"(?:\b(?:by|and|with|thanks|per)\s+|@)$", re.IGNORECASE)
_FIRST_NAME = re.compile(r"\b([A-Z](?:[a-z]+|\.))\s+$")  # "Randal L. ", "Fredrik "
_PERSON_AFTER = re.compile(
    r"^(?:\s+[A-Z](?:[a-z]+|\.)|,\s+who\b|\s+(?:and\s+(?:I|me)\b|once|also|first|said|says|"
    r"wrote|writes|argued|argues|thinks|thought|suggested|suggests|proposed|proposes|claimed|"
    r"claims|noted|notes|pointed|mentioned|mentions|asked|asks|replied|posted|tweeted|"
    r"popularized|popularised|coined|invented|created|founded))"
)


def _names_person(text: str, match: re.Match) -> bool:
    before = text[: match.start()]
    return bool(
        _PERSON_BEFORE.search(before)
        or _PERSON_AFTER.match(text[match.end() :])
        or _after_first_name(before)
    )


def _after_first_name(before: str) -> bool:
    """Whether a capitalised word that is no pronoun or article ends `before`: the name goes
    on ("Randal L. Schwartz"), where "The Timsort algorithm" names a thing."""
    first = _FIRST_NAME.search(before)
    return first is not None and first.group(1).rstrip(".").lower() not in _NO_NAME


# Words written with a capital after a list label or a colon ("a) You raise ...", "Note: The
# ..."): pronouns, articles and the like, which name no one.
_NO_NAME = frozenset(
    """you your yours we our ours they their them he his him she her hers its this that these
    those there here what which who whom whose when where why how the and but for nor yet also
    however instead indeed just once while whilst although though because since unless until
    after before maybe perhaps still then thus hence therefore note please some many most all
    any each every both either neither other another such one two three not yes only even
    again with without from into about over under re if so as in on at by to of or my mine
    let see use""".split()
)

_AMOUNT = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)*%?(?![\w.]\w)|\b(?:two|three|four|five|six|seven|eight|"
    r"nine|ten|dozen|hundreds?|thousands?|millions?|billions?|trillions?|percent|half|quarter|"
    r"third|twice|years?)\b",
    re.IGNORECASE,
)
# Numbers that name a thing rather than measure one: "section 4.4", "2.2.1", "(1)", "[1]".
_LABEL_BEFORE = re.compile(
    r"(?:\b(?:section|sections|sec|chapter|figure|fig|table|footnote|step|part|appendix|"
    r"version|item|point|premise|claim|question)\.?\s*|§\s*|[(\[])$",
    re.IGNORECASE,
)
_SECTION_NUMBER = re.compile(r"\d+\.\d+\.\d+")
_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_YEAR = re.compile(
    rf"(?<![\w.])(?:1[5-9]\d\d|2[01]\d\d)s?(?![\w.]\w)|\b(?:{_MONTHS})\b\.?\s*\d",
    re.IGNORECASE,
)
# "When" is answered by a date, a period, or the event it is placed by ("when ChatGPT came out").
_TIME = re.compile(
    r"\b(?:ago|recently|yesterday|today|tomorrow|currently|nowadays|soon|later|earlier|"
    r"days?|weeks?|months?|years?|decades?|centur(?:y|ies)|since|until|till|before|after|once|"
    r"when|during|these days|at the time|back then|early days)\b",
    re.IGNORECASE,
)


def asked_type(question: str) -> AnswerType | None:
    """The kind of answer `question` wants, when it is one the evidence can be checked for."""
    if _ASKS_EXPANSION.search(question):
        return AnswerType.EXPANSION
    if _ASKS_VERSION.search(question):
        return AnswerType.VERSION
    if _ASKS_YEAR.search(question):
        return AnswerType.YEAR
    if _ASKS_TIME.search(question) and not _ASKS_CIRCUMSTANCES.search(question):
        return AnswerType.TIME
    if _ASKS_PERSON.search(question):
        return AnswerType.PERSON
    if _ASKS_MEASURE.search(question):
        return AnswerType.AMOUNT
    if _ASKS_COUNT.search(question):
        return AnswerType.COUNT
    if _ASKS_AMOUNT.search(question):
        return AnswerType.AMOUNT
    return None


def offers(kind: AnswerType, question: str, text: str) -> bool:
    """Whether `text` holds an answer of `kind` that the question does not itself contain."""
    if kind is AnswerType.EXPANSION:
        return _expands(question, text)
    asked = _found(kind, _ASKS_TIME.sub(" ", question))  # the question's own "when" is no answer
    if kind is AnswerType.PERSON:  # the question may be lower-case: "who is nora"
        asked |= {w.lower() for w in re.findall(r"[\w'-]+", question)}
    return any(item not in asked for item in _found(kind, text))


def _expands(question: str, text: str) -> bool:
    """Whether `text` says what the letters asked about stand for: it names them (as a word of
    their own) and spells something out ("stands for", "means", "short for")."""
    if not _EXPANDS.search(text):
        return False
    asked = _EXPANDED.search(question)
    if asked is None:
        return True
    letters = {w for w in re.findall(r"\w+", asked.group(1)) if w.lower() not in _NOT_EXPANDED}
    words = set(re.findall(r"\w+", text))
    return not letters or any(w in words for w in letters)


def quantities(text: str) -> set[str]:
    """The amounts `text` states, lower-cased; model names ("gpt4", "o1") and labels left out."""
    found = set()
    for match in _AMOUNT.finditer(text):
        labelled = _LABEL_BEFORE.search(text, 0, match.start())
        if _SECTION_NUMBER.fullmatch(match.group()) or (
            labelled and labelled.end() == match.start()
        ):
            continue
        found.add(match.group().lower())
    return found


def _found(kind: AnswerType, text: str) -> set[str]:
    if kind is AnswerType.AMOUNT:
        return quantities(text)
    if kind is AnswerType.COUNT:
        return quantities(text) | {m.group().lower() for m in _LIST_ITEM.finditer(text)}
    if kind is AnswerType.PERSON:
        named = (m.group().lower() for m in _NAME.finditer(text) if _names_person(text, m))
        return {n for n in named if len(n) > 2 and n not in _NO_NAME}
    if kind is AnswerType.VERSION:
        return {m.group().lower() for m in _VERSION.finditer(text)}
    years = {m.group().lower() for m in _YEAR.finditer(text)}
    if kind is AnswerType.YEAR:
        return years
    return years | {m.group().lower() for m in _TIME.finditer(text)}
