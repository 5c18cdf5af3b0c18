"""Questions that compare things: their sides, and answers on each side (answer/comparison.py)."""

from __future__ import annotations

import pytest

from retrieval.answer.analysis import analyse
from retrieval.answer.comparison import compared_sides, speaks_of
from retrieval.answer.evidence import Evidence
from retrieval.answer.extractive import choose
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import Document


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        ("list.sort() vs sorted() whats the actual difference", ("list.sort", "sorted")),
        ("genexp vs listcomp - when should i pick the generator one", ("genexp", "listcomp")),
        ("git branch -d vs git branch -D ?", ("git branch -d", "git branch -D")),
        (
            "whats the difference between HEAD..FETCH_HEAD and HEAD...FETCH_HEAD",
            ("HEAD..FETCH_HEAD", "HEAD...FETCH_HEAD"),
        ),
        ("how is a tuple different from a list?", ("tuple", "list")),
        ("the speed argument compared to the simplicity one", ("speed argument", "simplicity one")),
        (
            "plain git diff vs git diff HEAD vs git diff --cached",
            ("git diff", "git diff HEAD", "git diff --cached"),
        ),
    ],
)
def test_the_sides_of_a_comparison_are_found(question, sides):
    assert compared_sides(question) == sides


@pytest.mark.parametrize(
    "question",
    [
        "what is the speed argument against schemers",
        "why would SGD prefer non-schemers?",
        # A side must be a name, not a clause: nothing to look for in either.
        "compare how aligned things looked when chatgpt came out vs once the o1 models showed up",
    ],
)
def test_other_questions_compare_nothing(question):
    assert compared_sides(question) == ()


def test_the_difference_between_two_things_is_no_term_to_define():
    facts = analyse("whats the difference between a glyph and a character?")
    assert facts.sides == ("glyph", "character")
    assert facts.term is None  # it had asked the texts to define "difference between ..."


@pytest.mark.parametrize(
    ("side", "sentence", "expected"),
    [
        ("HEAD...FETCH_HEAD", "$ gitk HEAD...FETCH_HEAD", True),
        ("HEAD...FETCH_HEAD", 'The range notation "HEAD..FETCH_HEAD" means ...', False),
        ("HEAD..FETCH_HEAD", "$ gitk HEAD...FETCH_HEAD", False),
        ("git branch -D", "you can always delete the branch with git branch -D crazy-idea", True),
        ("git branch -D", "you could delete the branch with git branch -d experimental", False),
        ("generator expression", "Generator expressions return an iterator.", True),
    ],
)
def test_a_sentence_speaks_of_a_side_by_its_own_words_or_as_written(side, sentence, expected):
    sides = {
        "HEAD...FETCH_HEAD": ("HEAD..FETCH_HEAD", "HEAD...FETCH_HEAD"),
        "HEAD..FETCH_HEAD": ("HEAD..FETCH_HEAD", "HEAD...FETCH_HEAD"),
        "git branch -D": ("git branch -d", "git branch -D"),
        "generator expression": ("list comprehension", "generator expression"),
    }[side]
    assert speaks_of(side, sides, sentence) is expected


def test_an_answer_to_a_comparison_speaks_of_each_side():
    (passage,) = chunk_corpus(
        [
            Document(
                "sorting.txt",
                "The list.sort method sorts the list in place and returns None.\n\n"
                "Many people like sorting things.\n\n"
                "The sorted function builds a new sorted list from any iterable.\n",
            )
        ],
        chunk_chars=5000,
    )
    # The first sentence matches best; the one on `sorted` scores too low to be chosen alone.
    scores = [0.9, 0.5, 0.2]
    evidence = [Evidence(passage, 0, i, s, 0.0) for i, s in enumerate(scores)]
    evidence.sort(key=lambda e: -e.score)
    facts = analyse("list.sort vs sorted?")
    texts = [e.text for e in choose(evidence, (), 3, facts)]
    assert texts[0].startswith("The list.sort method")
    assert any(t.startswith("The sorted function") for t in texts)
    assert not any(t.startswith("Many people") for t in texts)
