"""What the embedder reads of a sentence: its words, not its markup (retrieval/ingest/markup.py)."""

import pytest

from retrieval.answer.extractive import shown
from retrieval.ingest.markup import displayed, plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a method called :meth:`~iterator.__next__` that", "a method called __next__ that"),
        (
            ":func:`itertools.tee(iter, [n]) <itertools.tee>` copies",
            "itertools.tee(iter, [n]) copies",
        ),
        (":exc:`StopIteration` is raised", "StopIteration is raised"),
        (
            "named `Schwartzian transform <https://example.org/s>`_ after",
            "named Schwartzian transform after",
        ),
        ("use ``shutdown`` before ``close``", "use shutdown before close"),
        ("see [the docs](https://example.org) and **this**", "see the docs and this"),
        ("an *emphasised* word", "an emphasised word"),
    ],
)
def test_inline_markup_is_read_as_the_words_it_shows(text, expected):
    assert plain(text) == expected


@pytest.mark.parametrize(
    "text", ["snake_case_name and __init__", "2*3*4 = 24", "* a list item", "a_b_c"]
)
def test_names_arithmetic_and_list_markers_are_left_alone(text):
    assert plain(text) == text


@pytest.mark.parametrize(
    ("written", "shown_as"),
    [
        (":func:`~functools.reduce` folds", "`reduce` folds"),
        (":class:`logging.Logger` objects", "`logging.Logger` objects"),
        (":py:meth:`~iterator.__next__`", "`__next__`"),
        ("see :ref:`filter` for more", "see filter for more"),
        (":func:`itertools.tee(iter, [n]) <itertools.tee>`", "`itertools.tee(iter, [n])`"),
        (
            "`Pragmatic Unicode <https://nedbatchelder.com/x>`_, a talk",
            "Pragmatic Unicode <https://nedbatchelder.com/x>, a talk",
        ),
        ("use ``key`` and *grade*", "use ``key`` and *grade*"),
        # Markdown files carry HTML for layout; a tag written as code stays.
        (
            "size of the context<br/>(env: LLAMA_ARG_CTX_SIZE)",
            "size of the context (env: LLAMA_ARG_CTX_SIZE)",
        ),
        ("<summary>Show grammar</summary>", "Show grammar"),
        ("wrap it in `<details>` tags", "wrap it in `<details>` tags"),
        (
            "> The JSON schema is only used to constrain output.",
            "The JSON schema is only used to constrain output.",
        ),
    ],
)
def test_answers_show_markup_as_it_renders(written, shown_as):
    assert displayed(written) == shown_as


def test_a_bare_literal_block_marker_is_not_shown():
    assert shown("::") == ""
    assert shown("Use this::") == "Use this:"


@pytest.mark.parametrize(
    ("written", "shown_as"),
    [
        (
            "[[http-postbuffer]] What does `http.postBuffer` really do?::",
            "What does `http.postBuffer` really do?",
        ),
        (
            "+ Leaving this value at the default size is fine.",
            "Leaving this value at the default size is fine.",
        ),
        ("see linkgit:git-config[1] for more.", "see git-config(1) for more."),
        ("1 + 1 is two.", "1 + 1 is two."),
    ],
)
def test_answers_show_asciidoc_as_it_renders(written, shown_as):
    assert shown(written) == shown_as
