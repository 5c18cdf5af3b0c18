"""Whole thoughts, not fragments: what a chosen sentence brings along (answer/spans.py)."""

from __future__ import annotations

from retrieval.answer.evidence import Evidence
from retrieval.answer.extractive import shown
from retrieval.answer.spans import extend
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import Document
from retrieval.types import Passage


def passage_of(text: str) -> Passage:
    (passage,) = chunk_corpus([Document("doc.txt", text)], chunk_chars=5000)
    return passage


def answer_from(passage: Passage, chosen: int) -> list[str]:
    """The sentences an answer shows when sentence `chosen` of the passage was picked."""
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    return [e.text for e in extend([evidence[chosen]], evidence)]


def test_a_line_that_stops_mid_sentence_brings_the_lines_that_finish_it():
    # One paragraph a line (a forum dump): the quoted claims are the content of line one.
    passage = passage_of(
        "The strongest argument is a combination of\n"
        "“SGD prefers non-schemers” and\n"
        "“training gets the model SGD prefers.”\n"
        "My sense is that both are plausible.\n"
    )
    assert answer_from(passage, 0) == [
        "The strongest argument is a combination of",
        "“SGD prefers non-schemers” and",
        "“training gets the model SGD prefers.”",
    ]


def test_a_finished_line_does_not_run_into_the_next_post():
    passage = passage_of("I think scheming is likely.\nUnrelated reply about boxes.\n")
    assert answer_from(passage, 0) == ["I think scheming is likely."]


def test_a_question_in_the_text_brings_the_sentence_that_answers_it():
    passage = passage_of(
        "This prints True.  (Why is NFD called twice?  Because casefold can return a\n"
        "string that is not normalized, so it must be normalized again.)  Next topic here.\n"
        "More wrapped prose follows on this line so that the text reads as wrapped prose,\n"
        "and it goes on for a few more lines with sentences that run across the breaks\n"
        "between lines, the way documentation in reStructuredText is written, one line\n"
        "after another, each shorter than a hundred characters, as most such files are\n"
        "when they are kept in a repository and read in a terminal or an editor window\n"
        "that is not very wide at all.\n"
    )
    answer = answer_from(passage, 1)
    assert answer[0] == "(Why is NFD called twice?"
    assert answer[1].startswith("Because casefold")


def test_a_colon_brings_the_list_or_code_block_it_introduces():
    text = (
        "There are practical advantages to the functional style:\n"
        "\n"
        "* Formal provability.\n"
        "* Modularity.\n"
        "\n"
        "A good convention is to name loggers as follows::\n"
        "\n"
        "   logger = logging.getLogger(__name__)\n"
        "\n"
        "Then prose goes on.\n"
    )
    passage = passage_of(text)
    assert answer_from(passage, 0) == [
        "There are practical advantages to the functional style:",
        "* Formal provability.",
        "* Modularity.",
    ]
    convention = next(
        i for i in range(len(passage.sentences)) if "convention" in passage.sentence_text(i)
    )
    assert answer_from(passage, convention)[1].strip() == "logger = logging.getLogger(__name__)"


def test_a_colon_does_not_reach_over_into_the_next_paragraph_of_prose():
    passage = passage_of("Consider this:\n\nA new paragraph of prose begins here.\n")
    assert answer_from(passage, 0) == ["Consider this:"]


def test_a_literal_block_marker_is_shown_as_the_colon_it_renders_as():
    assert shown("named as follows::") == "named as follows:"
    assert shown("a c++ :: scope") == "a c++ :: scope"


def test_a_quoted_claim_brings_the_reply_on_the_next_line_that_takes_it_up():
    passage = passage_of(
        "“It is really hard to make models evil by prompting.”\n"
        "This is much less of a killer argument if optimisation power keeps growing.\n"
        "Unrelated next post about boxes.\n"
    )
    assert answer_from(passage, 0) == [
        "“It is really hard to make models evil by prompting.”",
        "This is much less of a killer argument if optimisation power keeps growing.",
    ]
