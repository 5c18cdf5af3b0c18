"""The offline answerer: picks the sentences that best answer the question and cites each one."""

from __future__ import annotations

import itertools
import re

from retrieval.answer.analysis import QuestionFacts
from retrieval.answer.citations import compose as cite_claims
from retrieval.answer.comparison import speaks_of
from retrieval.answer.evidence import Evidence
from retrieval.answer.preference import REASON_MARGIN, prefer, reason_for
from retrieval.answer.spans import (
    extend,
    in_block,
    indent_of,
    introduces,
    is_code,
    opens_item,
    same_paragraph,
    with_following,
    with_gaps_filled,
    with_lead_ins,
)
from retrieval.ingest.markup import displayed
from retrieval.ingest.sentences import FENCE_LINE
from retrieval.search.keywords import terms
from retrieval.types import CODE_INDENT, Citation, Passage, Turn

# Fitted by `seedbot eval --fit-selection` on the dev sets of three corpora (eval/README.md).
NEAR_BEST = 0.12  # further sentences must score within this of the best one
FOLLOW = 1  # sentences after each chosen one, in its paragraph, that the answer brings along
MIN_WORDS = 5  # "Great post." answers nothing
_WORD = re.compile(r"\w+")


def choose(
    evidence: list[Evidence],
    gloss: tuple[Evidence, ...],
    most: int,
    facts: QuestionFacts,
    near_best: float = NEAR_BEST,
    follow: int = FOLLOW,
    reason_margin: float = REASON_MARGIN,
) -> list[Evidence]:
    """The sentences of the answer: the best matches (never a heading alone), the sentence
    after each (the best match often states a claim that its next sentence completes), what
    they point to, for "what is X" the sentence that says what X is, for "why" a sentence
    that gives a reason when the best ones don't, and for "X vs Y" the best sentence on each
    side."""
    ranked = prefer(facts, [e for e in evidence if not e.is_heading] or evidence)
    picked = select(ranked, most, near_best)
    picked += reason_for(facts, picked, ranked, reason_margin)

    def shown_for(picked: list[Evidence]) -> list[Evidence]:
        chosen = with_sides(with_gloss(picked, gloss, most), ranked, facts)
        shown = extend(with_lead_ins(with_following(chosen, evidence, follow), evidence), evidence)
        return with_gaps_filled(shown, evidence)

    shown = shown_for(picked)
    asked = _words(facts.text)
    if says_nothing_new(shown, asked):
        shown = shown_for(picked + saying_of(picked, ranked, asked))
    return shown


def says_nothing_new(shown: list[Evidence], asked: set[str]) -> bool:
    """Whether the answer only shows the question's own words (`asked`) back: a line that
    repeats them ("serversocket.listen(5)" for "what does the 5 in serversocket.listen(5)
    mean"), with code and the lead-in to that code around it, and no sentence that speaks of
    it."""
    return any(_repeats(e, asked) for e in shown) and all(
        _repeats(e, asked) or in_block(e.passage, e.index) or introduces(e.text) for e in shown
    )


def saying_of(picked: list[Evidence], ranked: list[Evidence], asked: set[str]) -> list[Evidence]:
    """The best prose sentence that speaks of what the repeated line names ("the argument to
    ``listen`` ... 5 connect requests"), if any: the repeat shows where the thing is, this
    what it is."""
    named = set(terms(" ".join(e.text for e in picked if _repeats(e, asked))))
    saying = (
        e
        for e in ranked
        if e not in picked
        and not _repeats(e, asked)
        and not in_block(e.passage, e.index)
        and len(e.text.split()) >= MIN_WORDS
        and not named.isdisjoint(terms(e.text))
    )
    return list(itertools.islice(saying, 1))


def _repeats(item: Evidence, asked: set[str]) -> bool:
    """Whether the sentence has words, all of them the question's."""
    said = _words(item.text)
    return bool(said) and said <= asked


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def choose_following_up(
    evidence: list[Evidence],
    previous: Turn,
    gloss: tuple[Evidence, ...],
    most: int,
    facts: QuestionFacts,
) -> list[Evidence]:
    """A follow-up's sentences. "why?" and "any catch?" ask about what the last answer just
    said, and the texts say more of it in the same paragraphs, so the answer is chosen there
    first, and from all the evidence when those paragraphs hold nothing the last answer did
    not show. Lines already shown may come again beside new ones (the reason asked for is
    often in the very sentence that made the claim), never alone while the texts hold more.
    """
    quoted = _quoted(previous)
    near = _near(evidence, quoted)
    chosen = choose(near or evidence, gloss, most, facts)
    if not all(_shown(e, quoted) for e in chosen):
        return chosen
    fresh_near = [e for e in near if not _shown(e, quoted)]
    if fresh_near:
        return choose(fresh_near, gloss, most, facts)
    fresh = [e for e in evidence if not _shown(e, quoted)]
    if not fresh:
        return chosen
    if not near:
        return choose(fresh, gloss, most, facts)
    return chosen + [e for e in choose(fresh, gloss, 1, facts) if e not in chosen]


def _near(evidence: list[Evidence], quoted: list[str]) -> list[Evidence]:
    """The evidence of the paragraphs that hold a line the last answer quoted."""
    shown = {(e.passage.id, _paragraph(e)) for e in evidence if _shown(e, quoted)}
    return [e for e in evidence if (e.passage.id, _paragraph(e)) in shown]


def _paragraph(item: Evidence) -> int:
    """The number, within its passage, of the paragraph the sentence is in."""
    return sum(not same_paragraph(item.passage, i) for i in range(item.index))


def _quoted(previous: Turn) -> list[str]:
    return [" ".join(c.quote.split()) for c in previous.citations]


def _shown(item: Evidence, quoted: list[str]) -> bool:
    return any(" ".join(item.text.split()) in q for q in quoted)


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


def with_sides(
    chosen: list[Evidence], ranked: list[Evidence], facts: QuestionFacts
) -> list[Evidence]:
    """For a comparison, the best sentence on each side the chosen ones say nothing of: an
    answer to "list.sort() vs sorted()" that speaks only of `list.sort` answers half of it."""
    sides = facts.sides
    added = list(chosen)
    for side in sides:
        if any(speaks_of(side, sides, e.text) for e in added):
            continue
        taken = {e.place for e in added}
        candidates = [e for e in ranked if e.place not in taken and speaks_of(side, sides, e.text)]
        # What the text says of it before an example of it: a line of code only when no
        # sentence of prose names the side ("$ gitk HEAD...FETCH_HEAD" comes with its lead-in).
        prose = [e for e in candidates if not is_code(e.passage, e.index)]
        if prose or candidates:
            added.append((prose or candidates)[0])
    if len(added) == len(chosen):
        return chosen
    return sorted(added, key=lambda e: (e.rank, e.index))


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
    return cite_claims(laid_out(chosen))


def laid_out(chosen: list[Evidence]) -> list[tuple[str, list[tuple[Passage, int]]]]:
    """One claim per sentence, code kept as code: each line of a code block on its own line,
    indented (as Markdown marks code) with its indentation within the block, so an example
    reads as a program rather than as one run-on line; each list item, table row or heading
    (shown without its "#" marks) starts a line, and so does whatever follows a heading, code
    or a list."""
    claims = []
    block_indent, in_code, item_run, after_heading = 0, False, False, False
    for position, item in enumerate(chosen):
        code = is_code(item.passage, item.index)
        text = shown(item.text)
        if not text or not (code or any(c.isalnum() for c in text)) or FENCE_LINE.match(text):
            continue  # a bare "::" (rST), "+" (AsciiDoc), "```bash": markup that shows nothing
        if code:
            if not in_code or not _same_block(chosen[position - 1], item):
                block_indent = _block_indent(chosen, position)
            depth = max(indent_of(item.passage, item.index) - block_indent, 0)
            text = "\n" + CODE_INDENT + " " * depth + " ".join(item.text.split())
        heading = not code and item.is_heading
        if heading:
            text = _MARKDOWN_HEADING.sub("", text)
        opens = not code and (opens_item(item.passage, item.index) or text.startswith("|"))
        goes_on = item_run and not opens and _same_item(chosen[position - 1], item)
        if not code and (
            in_code or opens or heading or after_heading or (item_run and not goes_on)
        ):
            text = "\n" + text  # on a line of its own: see above
        in_code, after_heading = code, heading
        item_run = opens or goes_on
        claims.append((text, [(item.passage, item.index)]))
    return claims


def _same_item(before: Evidence, item: Evidence) -> bool:
    """Whether `item` is the next sentence of the list item `before` is in ("c) The
    discussion is interesting. LLMs are trained on human data." is one item)."""
    return _same_block(before, item) and same_paragraph(item.passage, before.index)


def _same_block(before: Evidence, item: Evidence) -> bool:
    return before.passage is item.passage and before.index + 1 == item.index


def _block_indent(chosen: list[Evidence], start: int) -> int:
    """The least indentation of the run of code lines that starts at `start`."""
    run = [chosen[start]]
    for item in chosen[start + 1 :]:
        if not (_same_block(run[-1], item) and is_code(item.passage, item.index)):
            break
        run.append(item)
    return min(indent_of(e.passage, e.index) for e in run)


def shown(sentence: str) -> str:
    """A sentence as an answer shows it: on one line, footnote markers as superscripts, and
    reStructuredText as it renders: "::" (a code block follows) as a colon, roles and links
    as the names and titles they show (the citation quotes the text as written)."""
    flat = " ".join(sentence.split())
    if flat == "::":
        return ""
    flat = _LITERAL_BLOCK.sub(":", displayed(flat))
    return _FOOTNOTE.sub(lambda m: m.group(1).translate(_SUPERSCRIPT), flat)


_LITERAL_BLOCK = re.compile(r"(?<=\S)::$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_FOOTNOTE = re.compile(r"(?<=\S)\[(\d{1,3})\]")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
