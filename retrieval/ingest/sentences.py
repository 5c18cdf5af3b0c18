"""Sentence boundaries with character offsets, so every sentence maps back to its exact lines."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

# Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    "e.g i.e etc vs cf al fig figs eq eqs no nos mr mrs ms dr prof sr jr st mt approx "
    "ca est dept univ inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec "
    "sec secs ch vol pp p u.s u.k a.k.a ibid op viz resp".split()
)
# A candidate end: terminal punctuation, then closing quotes or brackets, then white space.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")
_WORD_BEFORE = re.compile(r"([A-Za-z](?:[A-Za-z.]*[A-Za-z])?)\.$")


def sentence_spans(
    text: str, wrapped: bool = False, code: frozenset[int] = frozenset()
) -> list[tuple[int, int]]:
    """Split `text` into (start, end) offsets of sentences, stripped of surrounding white space.

    A line break also ends a sentence, because corpora like forum dumps put one paragraph on
    each line and quoted list items often lack final punctuation. In hard-wrapped prose
    (`wrapped`, see `looks_wrapped`) a line break inside a paragraph is only a space, unless
    a heading, its underline, a list item, a directive or an indented block begins or ends there,
    or a line of code (the numbers in `code`, counted from 0 in `text`) stands on either side;
    a line of code is one sentence, whatever punctuation it holds.
    """
    soft = soft_breaks(text, code) if wrapped else set()
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if match.group() == "\n" and match.start() in soft:
            continue
        if match.group() != "\n" and (
            (code and text.count("\n", 0, match.start()) in code)  # counted only beside code
            or not _ends_sentence(text, start, match.start(), end)
        ):
            continue
        _add_span(text, start, end, spans)
        start = end
    _add_span(text, start, len(text), spans)
    return spans


# Lines that carry structure rather than running prose: headings and their underlines, list
# items, reStructuredText directives and fields (":param x: ...", not a role such as
# ":meth:`f`" that merely starts a wrapped line), quotes, tables, code fences and AsciiDoc's
# list continuation (a "+" alone: the block below belongs to the item above) and anchors
# ("[[recommended-storage-settings]]").
_UNDERLINE = re.compile(r"^\s*([=\-~^*+#`'\".:_])\1{2,}\s*$")
_ITEM_MARK = r"(?:<\d{1,2}>|[-*+•]|\(?\d{1,3}[.)]|\(?[a-z][.)])"  # "* ", "- ", "1. ", "(a) "
_ASCIIDOC_LINE = r"\+\s*$|\[\[[^\]]*\]\]\s*$"  # a continuation "+", an anchor "[[name]]"
_STRUCTURE = re.compile(
    rf"^\s*(?:#{{1,6}}\s|{_ITEM_MARK}\s|{_ASCIIDOC_LINE}|\.\.\s|:[\w ]+:(?:\s|$)|>|\||```|~~~)"
)
_TERMINAL = re.compile(r"[.!?…:;][\"'”’)\]*_]*\s*$")
WRAPPED_MEDIAN_CHARS = 100  # prose lines of hard-wrapped text are rarely longer
WRAPPED_MIN_LINES = 8  # fewer lines tell too little to treat line breaks as spaces
WRAPPED_SHARE = 0.2  # ... and often run on into the next line


def is_structural(line: str) -> bool:
    """A line that is a heading, an underline, a list item, a directive, a quote or code."""
    return bool(_UNDERLINE.match(line) or _STRUCTURE.match(line) or line.startswith(("    ", "\t")))


def is_underline(line: str) -> bool:
    return bool(_UNDERLINE.match(line))


def looks_wrapped(text: str) -> bool:
    """Whether `text` is hard-wrapped prose: short lines whose sentences run on across them."""
    lines = text.split("\n")
    prose = [line for line in lines if line.strip() and not is_structural(line)]
    if len(prose) < WRAPPED_MIN_LINES:
        return False
    median = sorted(len(line) for line in prose)[len(prose) // 2]
    runs_on = sum(
        1
        for line, after in itertools.pairwise(lines)
        if line.strip()
        and not is_structural(line)
        and not _TERMINAL.search(line)
        and after.strip()
        and not is_structural(after)
    )
    return median <= WRAPPED_MEDIAN_CHARS and runs_on >= WRAPPED_SHARE * len(prose)


_LIST_ITEM = re.compile(rf"^\s*{_ITEM_MARK}\s+\S")
_ITEM_MARKER = re.compile(rf"^\s*{_ITEM_MARK}\s+(?=\S)")


def is_list_item(line: str) -> bool:
    """A line that opens a list item ("* The sort is stable", "2. Creating a file", "(a) ...")."""
    return bool(_LIST_ITEM.match(line))


def without_item_marker(line: str) -> str:
    """The line without the marker that opens its list item ("* ", "2. ", "<8> ")."""
    return _ITEM_MARKER.sub("", line, count=1)


_CODE_DIRECTIVE = re.compile(r"^\.\.\s+(?:code-block|code|sourcecode|doctest)::")


def in_code_block(text: str, offset: int) -> bool:
    """Whether the line at `offset` of `text` is inside a code block (see `literal_lines`)."""
    return text.count("\n", 0, offset) in _code_lines_of(text)


@lru_cache(maxsize=4096)
def _code_lines_of(text: str) -> frozenset[int]:
    """`literal_lines` of a passage's text, worked out once: every sentence of the passage
    asks it, several times per answer (heading, code, lead-in and block checks)."""
    return frozenset(literal_lines(text.split("\n"), open_ended=True))


def literal_lines(lines: list[str], open_ended: bool = False) -> set[int]:
    """The numbers of the lines of code blocks: reStructuredText literal blocks (the indented
    lines after a paragraph that ends in "::" or after a code directive, however little they
    are indented, unless they read as prose or follow "::" with no blank line between),
    Markdown fences and AsciiDoc listing and literal blocks. `open_ended`: the lines are a
    passage, cut from its file, and a block it opens without closing runs to its end."""
    literal = delimited_lines(lines, open_ended)
    opener, block = None, []
    for number, line in enumerate([*lines, "end"]):
        if not line.strip():
            continue
        if line[:1].isspace() and opener is not None and _literal_follows(lines, opener, block):
            block.append(number)
            continue
        if block and not reads_as_prose([lines[n] for n in block]):
            literal.update(block)
        block = []
        opener = number if opens_literal(line) else None
    return literal


def _literal_follows(lines: list[str], opener: int, block: list[int]) -> bool:
    """Whether indented lines after `opener` can be its literal block. In reStructuredText a
    blank line must come between a "::" paragraph and its block; indented lines right under
    "Term::" are the term's definition (reStructuredText) or a labelled item's text (AsciiDoc's
    "Question?::"), prose either way. A directive's options come right under it, its code later."""
    if block or lines[opener].startswith(".."):
        return True
    return opener + 1 < len(lines) and not lines[opener + 1].strip()


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[,.;:!?\"”)]*$")
PROSE_LINE_WORDS = 6  # a line of running text has at least this many words ...
PROSE_WORD_SHARE = 0.8  # ... nearly all of them plain words, not code


def reads_as_prose(block: list[str]) -> bool:
    """Whether most lines of an indented block are running text rather than code or output."""
    lines = [line.split() for line in block if line.strip()]
    prose = sum(
        1
        for tokens in lines
        if len(tokens) >= PROSE_LINE_WORDS
        and sum(1 for t in tokens if _WORD.match(t)) >= PROSE_WORD_SHARE * len(tokens)
    )
    return prose * 2 > len(lines)


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
FENCE_LINE = re.compile(r"^\s*(?:`{3,}|~{3,})[\w+-]*\s*$")  # a whole fence line: "```bash"
# What may stand right above an AsciiDoc listing: a blank line, a list continuation ("+"),
# block attributes ("[source,shell]") or a block title (".Example").
_ASCIIDOC_TITLE = r"^\.[A-Za-z`'\"]"  # a block title: ".Example", a dot right before its first word
ASCIIDOC_TITLE = re.compile(_ASCIIDOC_TITLE)
_ASCIIDOC_MARKUP = rf"^\[[^\]]*\]\s*$|{_ASCIIDOC_TITLE}"  # block attributes, a block title
ASCIIDOC_MARKUP = re.compile(_ASCIIDOC_MARKUP)
_OPENS_BLOCK = re.compile(rf"^\s*$|^\+\s*$|{_ASCIIDOC_MARKUP}")
_LISTING = re.compile(r"^(-{4,}|\.{4,})\s*$")  # AsciiDoc's ---- (listing) and .... (literal)


def delimited_lines(lines: list[str], open_ended: bool = False) -> set[int]:
    """The lines between a Markdown fence and its closing fence, and between an AsciiDoc
    listing delimiter (after a blank line, a "+", block attributes or a title) and the same
    line closing it. (A line of dashes or tildes right under a line of text is that text's
    heading underline, not a delimiter.) `open_ended`: a fence, or a delimiter that only
    AsciiDoc puts there (after a "+", attributes or a title), left open runs to the end."""
    inside: set[int] = set()
    number = 0
    while number < len(lines):
        close = _closing(lines, number)
        if close is None and open_ended and _opens_unambiguously(lines, number):
            close = len(lines)
        if close is not None:
            inside.update(range(number + 1, close))
            number = close
        number += 1
    return inside


def _closing(lines: list[str], number: int) -> int | None:
    """The line that closes the block line `number` opens, if it opens one."""
    line = lines[number]
    fence = _FENCE.match(line)
    if fence and _underlines_heading(lines, number):
        return None  # "Branch management\n~~~~~~~~~~~~~~~~~": a heading, not a code fence
    if fence:
        mark = fence.group(1)
        closes = (n for n in range(number + 1, len(lines)) if lines[n].strip().startswith(mark))
        return next((n for n in closes if not lines[n].strip().strip(mark[0])), None)
    if _LISTING.match(line) and (number == 0 or _OPENS_BLOCK.match(lines[number - 1])):
        close = next((n for n in range(number + 1, len(lines)) if lines[n] == line), None)
        if close == number + 2 and _overlined_title(lines[number + 1], line):
            return None  # "-----\nKeyword-Only Arguments\n-----": a reStructuredText title
        return close
    return None


def _overlined_title(text: str, rule: str) -> bool:
    """Whether `text`, alone between two equal lines of dashes, is a reStructuredText title
    over- and underlined by them rather than a one-line AsciiDoc listing: a capitalised line
    the rules just cover ("$ git init" between two rules is a command)."""
    title, length = text.strip(), len(rule.rstrip())
    return bool(title) and title[0].isupper() and len(text.rstrip()) <= length <= len(title) + 4


def _opens_unambiguously(lines: list[str], number: int) -> bool:
    """Whether line `number` can only open a code block: a fence that underlines nothing, or
    a listing delimiter under AsciiDoc's own markup (after a blank line it may be a Markdown
    rule, and at the top of a passage the end of a block the passage before opened)."""
    if _FENCE.match(lines[number]):
        return not _underlines_heading(lines, number)
    above = lines[number - 1] if number else ""
    return bool(_LISTING.match(lines[number]) and above.strip() and _OPENS_BLOCK.match(above))


def _underlines_heading(lines: list[str], number: int) -> bool:
    """Whether a fence-like line ("~~~~", "```") underlines the text above it as a heading:
    a reStructuredText underline is at least as long as its title, so "Run this:" then "```"
    is Markdown's code fence, which may follow a line of text."""
    above = lines[number - 1].strip() if number else ""
    return _underlines(lines, number) and len(lines[number].strip()) >= len(above)


def _underlines(lines: list[str], number: int) -> bool:
    """Whether line `number`, a run of one mark alone ("~~~~"), underlines the text above it
    (an rST or AsciiDoc heading): a fence opens a block, so nothing stands right above it."""
    above = lines[number - 1] if number else ""
    return bool(_UNDERLINE.match(lines[number]) and above.strip() and not is_structural(above))


def opens_literal(line: str) -> bool:
    """A paragraph ending in "::" or a code directive: indented lines after it are code (but
    not after another directive, ".. note::", whose indented lines are prose)."""
    if line.startswith(".."):
        return bool(_CODE_DIRECTIVE.match(line))
    return line.rstrip().endswith("::")


def soft_breaks(text: str, code: frozenset[int] = frozenset()) -> set[int]:
    """Offsets of the line breaks that only wrap a paragraph's running prose: never one beside
    a line of code (numbered from 0 in `text`), which is a sentence of its own."""
    soft, offset = set(), 0
    lines = text.split("\n")
    indented_prose = _indented_prose_lines(lines)
    item = False  # whether `line` holds a list item's text: its first line or one it runs into
    for number, line in enumerate(lines[:-1]):
        offset += len(line)
        after = lines[number + 1]
        following = lines[number + 2] if number + 2 < len(lines) else ""
        item = item or bool(_LIST_ITEM.match(line))
        goes_on_item = item and _goes_on_item(after, following)
        if code.isdisjoint((number, number + 1)) and (
            (
                line.strip()
                and after.strip()
                and not is_structural(line)
                and not is_structural(after)
                and not is_underline(following)  # `after` is a heading
            )
            or goes_on_item
            or {number, number + 1} <= indented_prose
        ):
            soft.add(offset)
        item = goes_on_item
        offset += 1
    return soft


def _goes_on_item(after: str, following: str) -> bool:
    """Whether `after`, the line below a list item's text, carries that text on: indented
    under it ("*\tcommands are for system\n\tadministrators who ...") or not (Markdown and
    AsciiDoc allow "<6> `git pull` fetches ... merges into the\ncurrent branch.")."""
    return (
        bool(after.strip())
        and not _STRUCTURE.match(after)
        and not is_underline(after)
        and not is_underline(following)
    )


def _indented_prose_lines(lines: list[str]) -> set[int]:
    """The lines of indented paragraphs that read as prose (a definition's or a labelled
    item's text): a line break between two of them, at the same indent, only wraps the text."""
    prose: set[int] = set()
    for _, run in itertools.groupby(range(len(lines)), key=lambda n: _indent(lines[n])):
        run = list(run)
        block = [lines[n] for n in run]
        indented = _indent(block[0]) and not any(_STRUCTURE.match(line) for line in block)
        if indented and reads_as_prose(block):
            prose.update(run)
    return prose


def _indent(line: str) -> str:
    """A line's leading white space; "" for a blank line, so that blank lines end a run."""
    return line[: len(line) - len(line.lstrip())] if line.strip() else ""


DOCTEST = (">>> ", "... ")  # how a doctest's lines begin
_ITEM_NUMBER = re.compile(r"\s*\(?(?:\d{1,3}|[a-z]|[ivx]{1,4})$", re.IGNORECASE)


def _ends_sentence(text: str, start: int, punct_at: int, end: int) -> bool:
    """Whether the punctuation at `punct_at` ends the sentence that began at `start`."""
    line_start = text.rfind("\n", 0, punct_at) + 1
    if in_code_block(text, punct_at) or text.startswith(DOCTEST, line_start):
        return False  # "$ echo 'again?' >>file.txt" is one line of code, whatever it holds
    if _ITEM_NUMBER.fullmatch(text[line_start:punct_at]):
        return False  # "1. Creating loggers": the number of a list item, not a sentence
    if text.count("`", start, punct_at) % 2:
        return False  # inside inline code: ":func:`zip(iterA, iterB, ...) <zip>` takes ..."
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
