"""What the embedder reads of a sentence: its words, not its markup (retrieval/ingest/markup.py)."""

import pytest

from retrieval.ingest.markup import plain


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
