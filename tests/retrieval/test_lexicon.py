"""Words neither the texts nor everyday English use (answer/lexicon.py)."""

from __future__ import annotations

import pytest

from retrieval.answer.lexicon import unknown_terms
from retrieval.search.keywords import KeywordIndex

GIT_DOCS = KeywordIndex(
    [
        "Use git fetch to update the index from the remote, then merge the default branch.",
        "The skip bit tells git where the worktree's files are; git rm removes the length.",
        "Interpretability of gpt4 after fine-tuning; errors go to sys.stderr.",
    ]
)


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("how do i set up git lfs for big psd files", ["lfs", "psd"]),
        ("what does git rerere do", ["rerere"]),
        ("sparse fetch for a huge monorepo", ["monorepo"]),
        ("how do i update a submodule after cloning", ["submodule"]),
        ("wrap the socket with ssl", ["ssl"]),
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
        "whats teh fetch for",  # two letters swapped in a short stopword
        "why didnt the merge work lol",  # chat spellings
        "replying to a remote: does fetch merge?",  # an inflection of an everyday word
        "what is the skip-worktree bit",  # each part of a hyphenated word, known
        "whats the caveat or the rebuttal in a nutshell",  # everyday, beyond WordPiece's list
        "how does he characterise it, and analyse it",  # British spellings
        "is the pipline underspecified",  # a long everyday word mistyped; a prefixed word
        "interp on gpt after finetuning",  # shortened, part of "gpt4", unhyphenated
        "what goes to stderr",  # part of the texts' dotted name
    ],
)
def test_everyday_words_typos_and_the_texts_own_words_are_not_unknown(question):
    assert unknown_terms(question, GIT_DOCS) == []
