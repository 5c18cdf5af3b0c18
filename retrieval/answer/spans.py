"""Whole thoughts, not fragments: a chosen sentence brings along what it points to.

A sentence that points forward ("... is a combination of:", "the following") is completed by
the sentences after it, and one that points back ("This is why ...", "in those cases") or
follows a sentence left unfinished ("... a combination of") by the one before it, but only
within its own paragraph, so an answer never runs into the next post.
The one exception is a sentence ending in a colon followed by a list or an indented block
("... named as follows::" then the code): the colon says that block is the content.
"""

from __future__ import annotations

import itertools
import re

from retrieval.answer.evidence import Evidence, in_code, is_heading_at
from retrieval.ingest.sentences import (
    ASCIIDOC_MARKUP,
    DOCTEST,
    FENCE_LINE,
    is_list_item,
    is_structural,
    is_underline,
    looks_wrapped,
)
from retrieval.types import Passage

_POINTS_FORWARD = re.compile(  # a colon, a question (answered next), "the following"...
    r"(?::|\?|\b(?:following|as follows|combination of|consists? of|namely|include|includes|"
    r"including|such as|e\.g\.|i\.e\.))\W*$|"
    # a sentence cannot end on these words: it goes on after the line break (but "... ends up
    # with." has ended)
    r"\b(?:and|or|but|nor|because|that|which|whether|of|to|the|a|an|with|by|for|from|is|are)"
    r"[^\w.!?…]*$",
    re.IGNORECASE,
)
# "... used to designate such an argument": the one the sentence before names (in "Some
# encodings, such as UTF-16, ...; when such an encoding is used" the sentence names it).
_SUCH_AN = r"^(?![\s\S]*\bsuch as\b)[\s\S]*\bsuch an?\b(?!\s+\w+\s+(?:as|that)\b)"
_POINTS_BACK = re.compile(
    r"^\W*(?:this|that|these|those|it|they|such|thus|therefore|hence|here|in particular|"
    r"specifically|in other words|moreover|furthermore|that said)\b|"
    r"\b(?:those|these|such) (?:cases|ones|reasons|arguments|points)\b|" + _SUCH_AN,
    re.IGNORECASE,
)
# Across a paragraph break only the pointers that cannot point elsewhere: an opening "It is
# expected that ..." points at nothing, and "This document ..." at the document itself.
_TAKES_UP_ABOVE = re.compile(
    r"^\W*(?:these|those|such)\b|"
    r"^\W*this\b(?!\s+(?:document|page|section|chapter|tutorial|guide|manual|howto|article|file|"
    r"book|post|comment)\b)|" + _SUCH_AN,
    re.IGNORECASE,
)
# "Another difference is ...", "A second tool is ...": the first one was named above, in the
# sentence before or, across a paragraph break (and the example between), in the paragraph above.
_ANOTHER = re.compile(r"^\W*(?:(?:yet )?another|one more|a second|a further)\b", re.IGNORECASE)
_ELABORATES = re.compile(
    r"\W*(?:for example|for instance|e\.g\.|in particular|specifically|that is|namely)\b",
    re.IGNORECASE,
)
_CALLOUT = re.compile(r"(<\d{1,2}>)\s*$")  # "$ git tag v2.43 <2>": explained under the block
_ENDED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
MAX_FORWARD = 2  # sentences a forward pointer may bring along
MAX_EXTRA = 3  # sentences extension may add to an answer in all
MAX_BLOCK = 6  # lines of a list or block introduced by a colon, on top of MAX_EXTRA
MAX_TABLE_SENTENCES = 12  # of a grid table's rows shown, its header included
MAX_GAP = 1  # sentences left out between two shown ones of a paragraph that the answer fills in
_INTRODUCES = re.compile(r":\s*$")
# "... are given in the following table.", "as the example below shows": the block after the
# paragraph holds what the sentence speaks of, although the sentence does not end on a colon.
_NAMES_BLOCK_BELOW = re.compile(
    r"\b(?:the following|the \w+ below)\b(?!\W*$)|\b(?:shown|given|listed) below\b",
    re.IGNORECASE,
)
# A grid table's border ("+-----+----+", "+=====+"): the frame around its rows, not content.
_TABLE_BORDER = re.compile(r"^\s*\+[-=+]+\+\s*$")
# "four categories", "three main ways", "2 kinds": the list that follows holds them.
_COUNTS_ITEMS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|several)\s+(?:[\w-]+\s+)?[\w-]+s\b",
    re.IGNORECASE,
)
# An AsciiDoc example block: a title (".Recipe") or attributes ("[caption=...]") above it, then
# its lines between two "====" (without the title, a line of "=" is a heading's underline).
_ASCIIDOC_EXAMPLE = re.compile(r"^={4,}\s*$")


def points_back(sentence: str) -> bool:
    return bool(_POINTS_BACK.search(sentence))


def points_forward(sentence: str) -> bool:
    return bool(_POINTS_FORWARD.search(sentence.rstrip()))


def extend(chosen: list[Evidence], evidence: list[Evidence]) -> list[Evidence]:
    """`chosen` with the sentences its members point to, in reading order."""
    by_place = {e.place: e for e in evidence}
    wanted = {e.place: e for e in chosen}
    added = 0
    # A sentence brought in may point on in its turn ("They are a way of ...", brought back by
    # the sentence it explains, goes on with "For example, ..."): its pointers count too.
    pending = sorted(chosen, key=lambda e: (e.rank, e.index))
    while pending:
        item = pending.pop(0)
        for place in introduced_block(item.passage, item.index):
            if place in by_place:
                wanted.setdefault(place, by_place[place])
        for place in _pointed_to(item):
            if added < MAX_EXTRA and place not in wanted and place in by_place:
                target = by_place[place]
                if not target.is_heading:
                    wanted[place] = target
                    pending.append(target)
                    added += 1
    return sorted(wanted.values(), key=lambda e: (e.rank, e.index))


def with_gaps_filled(
    chosen: list[Evidence], evidence: list[Evidence], gap: int = MAX_GAP
) -> list[Evidence]:
    """`chosen` with the sentences between two of its members that stand at most `gap` apart in
    one paragraph: the reader gets one run of the text, not two fragments quoted as one
    ("it returns *n* iterators. Replicating ..." had left out "the default is 2")."""
    by_place = {e.place: e for e in evidence}
    wanted = {e.place: e for e in chosen}
    shown = sorted((e.passage.id, e.index) for e in chosen)
    for (pid, first), (next_pid, second) in itertools.pairwise(shown):
        between = [by_place.get((pid, i)) for i in range(first + 1, second)]
        if next_pid != pid or not between or len(between) > gap or None in between:
            continue
        passage = between[0].passage
        if all(same_paragraph(passage, i) for i in range(first, second)):
            wanted.update((e.place, e) for e in between if not e.is_heading)
    return sorted(wanted.values(), key=lambda e: (e.rank, e.index))


def with_following(chosen: list[Evidence], evidence: list[Evidence], follow: int) -> list[Evidence]:
    """`chosen` with up to `follow` sentences after each, within its paragraph, in reading order."""
    by_place = {e.place: e for e in evidence}
    wanted = {e.place: e for e in chosen}
    for item in chosen:
        passage, index = item.passage, item.index
        for following in range(index + 1, min(index + 1 + follow, len(passage.sentences))):
            target = by_place.get((passage.id, following))
            if target is None or target.is_heading or not same_paragraph(passage, following - 1):
                break
            wanted.setdefault(target.place, target)
    return sorted(wanted.values(), key=lambda e: (e.rank, e.index))


def with_lead_ins(chosen: list[Evidence], evidence: list[Evidence]) -> list[Evidence]:
    """`chosen` with the sentence before each chosen line of code's block ("... specify the
    format you want to use::", "You can also tell it to create branches:"): an example is
    never shown without what it is an example of."""
    by_place = {e.place: e for e in evidence}
    wanted = {e.place: e for e in chosen}
    for item in chosen:
        passage, index = item.passage, item.index
        while index > 0 and in_block(passage, index):
            index -= 1
        lead_in = by_place.get((passage.id, index))
        # (The walk stops at the passage's first sentence, which may itself be the block.)
        if index != item.index and lead_in is not None and not in_block(passage, index):
            wanted.setdefault(lead_in.place, lead_in)
    return sorted(wanted.values(), key=lambda e: (e.rank, e.index))


def _pointed_to(item: Evidence) -> list[tuple[str, int]]:
    passage, index = item.passage, item.index
    places = []
    if index > 0 and _takes_up_above(passage, index):
        places.append((passage.id, index - 1))
    elif index > 0:
        places.extend((passage.id, i) for i in _first_of_its_kind(passage, index))
    if index + 1 < len(passage.sentences) and (
        _answered_below(passage, index) or _elaborated_below(passage, index)
    ):
        places.append((passage.id, index + 1))
    elif index + 1 < len(passage.sentences) and asks_paragraph_below(passage, index):
        places.extend((passage.id, i) for i in answer_paragraph(passage, index + 1))
    for below in (_remark_below(passage, index), _callout_below(passage, index)):
        if below is not None:
            places.append((passage.id, below))
    budget = MAX_FORWARD + 1 - len(places)
    places.extend((passage.id, i) for i in finishing(passage, index, budget))
    return places


def finishing(passage: Passage, index: int, most: int = MAX_FORWARD) -> list[int]:
    """The sentences of its paragraph that finish sentence `index` when it stops on a pointer
    forward ("... is a combination of", a colon), each of which may point on; at most `most`."""
    out: list[int] = []
    following = index
    while (
        len(out) < most
        and points_forward(passage.sentence_text(following))
        and following + 1 < len(passage.sentences)
        and same_paragraph(passage, following)
    ):
        following += 1
        out.append(following)
    return out


def _remark_below(passage: Passage, index: int) -> int | None:
    """The sentence right after the code block whose last line `index` is, when it speaks of
    that code ("$ gitk HEAD...FETCH_HEAD" / "This means ..."): an example comes with what the
    text says it does."""
    after = index + 1
    if not is_code(passage, index) or (after < len(passage.sentences) and is_code(passage, after)):
        return None
    while after < len(passage.sentences) and _delimits_code(passage, after):
        after += 1
    if after < len(passage.sentences) and _POINTS_BACK.match(passage.sentence_text(after)):
        return after
    return None


def _callout_below(passage: Passage, index: int) -> int | None:
    """The note below a code block that explains line `index`'s callout marker: "$ git tag
    v2.43 <2>" is explained by "<2> make a lightweight, unannotated tag." (AsciiDoc)."""
    marker = _CALLOUT.search(line_of(passage, index))
    if marker is None or not is_code(passage, index):
        return None
    for below in range(index + 1, len(passage.sentences)):
        if opens_item(passage, below) and line_of(passage, below).lstrip().startswith(
            marker.group(1)
        ):
            return below
    return None


def _takes_up_above(passage: Passage, index: int) -> bool:
    """Whether sentence `index` points back at the one before it: in its paragraph, or as the
    opening of a paragraph of blank-line separated prose that takes up the one above ("In
    command synopses, the word "tree-ish" is used to designate such an argument."), whose last
    sentence then says what it points to. (In a forum dump the line above is another post.)"""
    text = passage.sentence_text(index)
    if same_paragraph(passage, index - 1):
        return bool(_POINTS_BACK.search(text)) or _leads_in(passage, index - 1)
    return (
        bool(_TAKES_UP_ABOVE.search(text))
        and wrapped(passage)
        and not is_code(passage, index - 1)
        and not is_code(passage, index)
        and not opens_item(passage, index)
    )


def _first_of_its_kind(passage: Passage, index: int) -> list[int]:
    """The sentences that name the first of what sentence `index` opens by adding to ("Another
    difference is that ..."): the sentence before it in its paragraph; across a paragraph break
    of blank-line separated prose, the last sentences (at most MAX_FORWARD + 1) of the
    paragraph above, past the code example between them ("It modifies the list in-place ..."
    / example / "Another difference is ..."). Never a heading: "Another useful data type" under
    "Dictionaries" adds to a section the answer does not hold."""
    if not _ANOTHER.search(passage.sentence_text(index)) or opens_item(passage, index):
        return []
    above = index - 1
    if same_paragraph(passage, above):
        return [above]
    if not wrapped(passage) or is_code(passage, index):
        return []
    while above >= 0 and in_block(passage, above):
        above -= 1
    if above < 0 or is_heading_at(passage, above):
        return []
    start = above
    while start > 0 and above - start < MAX_FORWARD and same_paragraph(passage, start - 1):
        start -= 1
    return list(range(start, above + 1))


def asks_paragraph_below(passage: Passage, index: int) -> bool:
    """Whether sentence `index` is a question standing as a paragraph of its own in prose
    whose paragraphs are blank-line separated ("What are the 7 digits of hex ...?"): the
    paragraph after it answers it. (In a forum dump a line is a post, and the next line
    another post: not there.)"""
    text = passage.sentence_text(index).rstrip()
    if not text.endswith("?") or is_code(passage, index) or not wrapped(passage):
        return False
    alone_before = index == 0 or not same_paragraph(passage, index - 1)
    last = index + 1 >= len(passage.sentences)
    return alone_before and (last or not same_paragraph(passage, index))


def answer_paragraph(passage: Passage, start: int) -> list[int]:
    """The first sentences of the paragraph that opens at sentence `start`, which answers the
    question before it: at most MAX_FORWARD + 1."""
    out = [start]
    while (
        len(out) <= MAX_FORWARD
        and out[-1] + 1 < len(passage.sentences)
        and same_paragraph(passage, out[-1])
    ):
        out.append(out[-1] + 1)
    return out


def _leads_in(passage: Passage, index: int) -> bool:
    """Whether sentence `index` is unfinished without the next one: it stops on "... is a
    combination of" or a colon, so the next sentence alone would lack its subject."""
    return points_forward(passage.sentence_text(index))


def _elaborated_below(passage: Passage, index: int) -> bool:
    """Whether the next sentence of the paragraph (there is one) gives this one's examples or
    details ("They are a way of providing an aside. For example, ...")."""
    following = passage.sentence_text(index + 1)
    return bool(_ELABORATES.match(following)) and same_paragraph(passage, index)


def introduced_block(passage: Passage, index: int) -> list[tuple[str, int]]:
    """The list items or indented lines that a sentence ending in a colon introduces, the
    list right after a sentence that counts its items ("... grouped into four categories."),
    or the block after the paragraph of one that names it ("... in the following table.")."""
    if introduces(passage.sentence_text(index)) or _counts_list(passage, index):
        return [(passage.id, i) for i in block_from(passage, index + 1)]
    if names_block_below(passage, index):
        return [(passage.id, i) for i in block_from(passage, paragraph_end(passage, index) + 1)]
    return []


def names_block_below(passage: Passage, index: int) -> bool:
    """Whether sentence `index` speaks of the block after its paragraph ("the following
    table."); one that ends in a colon introduces the block right under it instead."""
    text = passage.sentence_text(index)
    return bool(_NAMES_BLOCK_BELOW.search(text)) and not introduces(text)


def paragraph_end(passage: Passage, index: int) -> int:
    """The last sentence of the paragraph sentence `index` belongs to."""
    while index + 1 < len(passage.sentences) and same_paragraph(passage, index):
        index += 1
    return index


def _counts_list(passage: Passage, index: int) -> bool:
    """A prose sentence that counts what the list right after it holds ("... grouped into four
    categories."); a list item that counts ("-- if two items ...") announces no sibling."""
    following = index + 1
    return (
        bool(_COUNTS_ITEMS.search(passage.sentence_text(index)))
        and not opens_item(passage, index)
        and following < len(passage.sentences)
        and opens_item(passage, following)
    )


def introduces(sentence: str) -> bool:
    """Whether the sentence ends in a colon: what comes next is its content."""
    return bool(_INTRODUCES.search(sentence))


def block_from(passage: Passage, start: int) -> list[int]:
    """The sentences of the list, indented block or AsciiDoc example block that begins at
    sentence `start` (none when a prose sentence stands there); delimiters, titles and
    directives' markup left out."""
    places: list[int] = []
    following = start
    titled = in_example = False
    while following < len(passage.sentences) and len(places) < MAX_BLOCK:
        line = line_of(passage, following)
        if _TABLE_BORDER.match(line) and not places:
            return _table_rows(passage, following)
        if _delimits_code(passage, following):  # an AsciiDoc "----" around the code
            following += 1
            continue
        code = is_code(passage, following)
        if not code and ASCIIDOC_MARKUP.match(line):
            titled = True  # ".Recipe", "[caption=...]": the markup of the block below
            following += 1
            continue
        if _ASCIIDOC_EXAMPLE.match(line) and (titled or in_example):
            if in_example:
                break  # the example block closes
            in_example = True
            following += 1
            continue
        if in_example:
            places.append(following)
            following += 1
            continue
        indented = line[:1].isspace()  # a literal block, however deeply indented
        if not (code or indented or is_structural(line)) or is_underline(line):
            break
        if line.startswith("#") and not code:
            break
        if not line.lstrip().startswith(".. "):  # a directive's markup is not content
            places.append(following)
        following += 1
    return places + _rest_of_item(passage, places)


def _table_rows(passage: Passage, start: int) -> list[int]:
    """The rows of the grid table whose top border is sentence `start`, its frame left out.

    Only rows of one line each: a row whose cells wrap onto several lines would read as
    scattered fragments of two columns, so the table stops before the first such row.
    """
    places: list[int] = []
    row: list[int] = []
    row_lines: set[int] = set()
    rows = 0
    for following in range(start, len(passage.sentences)):
        line = line_of(passage, following)
        if _TABLE_BORDER.match(line):
            if len(row_lines) > 1 or len(places) + len(row) > MAX_TABLE_SENTENCES:
                break
            places += row
            rows += bool(row)
            row, row_lines = [], set()
        elif line.lstrip().startswith("|"):
            row.append(following)
            row_lines.add(passage.text.rfind("\n", 0, passage.sentences[following].start))
        else:
            break
    return places if rows > 1 else []  # a header alone says nothing


def _rest_of_item(passage: Passage, places: list[int]) -> list[int]:
    """The lines that finish the item a full block stopped in ("... the care and feeding"
    then "of Git repositories."): a list is never cut mid-sentence."""
    if len(places) < MAX_BLOCK:  # the block ended by itself
        return []
    rest: list[int] = []
    following = places[-1] + 1
    while (
        following < len(passage.sentences)
        and len(rest) < MAX_FORWARD
        and not _ENDED.search(passage.sentence_text(following - 1))
        and line_of(passage, following)[:1].isspace()
        and not opens_item(passage, following)
    ):
        rest.append(following)
        following += 1
    return rest


def in_block(passage: Passage, index: int) -> bool:
    """A line of a code block, or the delimiter around one."""
    return is_code(passage, index) or _delimits_code(passage, index)


def _delimits_code(passage: Passage, index: int) -> bool:
    """A delimiter line ("----", "```", "```bash") that opens or closes the block next to it."""
    text = passage.sentence_text(index)
    if any(c.isalnum() for c in text) and not FENCE_LINE.match(text):
        return False
    near = [i for i in (index - 1, index + 1) if 0 <= i < len(passage.sentences)]
    return any(is_code(passage, i) for i in near)


def line_of(passage: Passage, index: int) -> str:
    """The whole line on which sentence `index` of the passage begins."""
    start = passage.sentences[index].start
    first = passage.text.rfind("\n", 0, start) + 1
    last = passage.text.find("\n", start)
    return passage.text[first : last if last >= 0 else len(passage.text)]


def is_code(passage: Passage, index: int) -> bool:
    """Whether sentence `index` is a line of code: a doctest and its output, or a line of a
    code block (see `literal_lines`: rST literal blocks, fences, AsciiDoc listings)."""
    line = line_of(passage, index)
    if line.lstrip().startswith(DOCTEST) or line.strip() in (">>>", "..."):
        return True
    if in_code(passage, index):
        return True
    start = passage.sentences[index].start
    for above in reversed(passage.text[:start].split("\n")[:-1]):
        if not above.strip():  # a doctest's output, in the block its ">>>" opened
            return False
        if above.lstrip().startswith(DOCTEST):
            return True
    return False


def opens_item(passage: Passage, index: int) -> bool:
    """Whether sentence `index` is the start of a list item (not a later sentence of one)."""
    line = line_of(passage, index)
    start = passage.sentences[index].start
    line_start = passage.text.rfind("\n", 0, start) + 1
    return is_list_item(line) and not passage.text[line_start:start].strip()


def indent_of(passage: Passage, index: int) -> int:
    line = line_of(passage, index)
    return len(line) - len(line.lstrip())


def _answered_below(passage: Passage, index: int) -> bool:
    """Whether the next line takes up this one ("“X.”" then "This is much less of a killer
    argument ..."): a reply under a quote, on the very next line."""
    return _gap(passage, index).count("\n") == 1 and points_back(passage.sentence_text(index + 1))


def same_paragraph(passage: Passage, index: int) -> bool:
    """Whether sentence `index` and the one after it belong to one paragraph.

    A blank line ends a paragraph. A line break does too in text with one paragraph a line
    (forum dumps), unless the line stops mid-sentence, without its final punctuation.
    """
    gap = _gap(passage, index)
    if re.search(r"\n[ \t]*\n", gap):
        return False
    if "\n" not in gap or wrapped(passage):
        return True
    return not _ENDED.search(passage.sentence_text(index))


def wrapped(passage: Passage) -> bool:
    """Whether the passage's line breaks only wrap its prose. The chunker decided that for the
    whole document and joined wrapped lines into sentences, so a sentence that runs across a
    line break says so even where the passage is too short for `looks_wrapped` to tell."""
    if looks_wrapped(passage.text):
        return True
    return any("\n" in passage.sentence_text(i) for i in range(len(passage.sentences)))


def _gap(passage: Passage, index: int) -> str:
    """What stands between sentence `index` and the one after it."""
    return passage.text[passage.sentences[index].end : passage.sentences[index + 1].start]
