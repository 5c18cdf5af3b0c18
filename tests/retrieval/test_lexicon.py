"""Words neither the texts nor everyday English use (answer/lexicon.py)."""

from __future__ import annotations

import pytest

from retrieval.answer.lexicon import unknown_terms
from retrieval.search.keywords import KeywordIndex

GIT_DOCS = KeywordIndex(
    [
        "Use git fetch to update the index from the remote, then merge the default branch.",
        "The skip bit tells git where the worktree's files are; git rm removes the length.",
    ]
)


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("how do i set up git lfs for big psd files", ["lfs", "psd"]),
        ("what does git rerere do", ["rerere"]),
        ("sparse fetch for a huge monorepo", ["monorepo"]),
    ],
)
def test_a_subject_the_texts_never_name_and_english_lacks_is_unknown(question, unknown):
    assert unknown_terms(question, GIT_DOCS) == unknown


@pytest.mark.parametrize(
    "question",
    [
        "my laptop says the fetch failed, oops",  # everyday words the texts don't use
        "whats the defualt branch",  # a typo of a word of the texts
        "whre does git fetch keep it",  # a typo of a stopword
        "why didnt the merge work lol",  # chat spellings
        "replying to a remote: does fetch merge?",  # an inflection of an everyday word
        "what is the skip-worktree bit",  # each part of a hyphenated word, known
    ],
)
def test_everyday_words_typos_and_the_texts_own_words_are_not_unknown(question):
    assert unknown_terms(question, GIT_DOCS) == []
