from hypothesis import given
from hypothesis import strategies as st

from retrieval.ingest.sentences import literal_lines, sentence_spans


def texts_of(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_splits_on_terminal_punctuation_followed_by_a_capital():
    assert texts_of("It works. Does it? Yes! Fine") == ["It works.", "Does it?", "Yes!", "Fine"]


def test_abbreviations_and_initials_do_not_end_a_sentence():
    text = "See e.g. the U.S. report by J. Smith vs. others. Next one."
    assert texts_of(text) == ["See e.g. the U.S. report by J. Smith vs. others.", "Next one."]


def test_section_numbers_and_lowercase_continuations_stay_whole():
    text = "As in section 4.4.2 of the report. and so on. The end."
    assert texts_of(text) == ["As in section 4.4.2 of the report. and so on.", "The end."]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    text = "He said “it ends here.” Then (this too.) Done."
    assert texts_of(text) == ["He said “it ends here.”", "Then (this too.)", "Done."]


def test_a_line_break_ends_a_sentence():
    assert texts_of("a combination of\n“Because of X” and\nmore") == [
        "a combination of",
        "“Because of X” and",
        "more",
    ]


def test_a_role_at_the_start_of_a_wrapped_line_continues_the_sentence():
    # ":meth:`f`" is inline markup; only ":name: value" (a field list) starts a new line.
    text = (
        "A Python iterator must support a method called\n"
        ":meth:`~iterator.__next__` that takes no arguments.  Then a field follows:\n"
        ":param x: the value\n"
    )
    assert texts_of_wrapped(text) == [
        "A Python iterator must support a method called\n"
        ":meth:`~iterator.__next__` that takes no arguments.",
        "Then a field follows:",
        ":param x: the value",
    ]


def texts_of_wrapped(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text, wrapped=True)]


@given(st.text(max_size=400))
def test_spans_are_ordered_disjoint_stripped_and_cover_all_non_space(text):
    spans = sentence_spans(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        assert text[previous_end:start].strip() == ""
        previous_end = end
    assert text[previous_end:].strip() == ""


def test_the_number_of_a_list_item_does_not_end_a_sentence():
    text = "Three ways:\n1. Creating loggers.\n2. Reading a file.\nIt was version 1. Then more."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Three ways:",
        "1. Creating loggers.",
        "2. Reading a file.",
        "It was version 1.",
        "Then more.",
    ]


def test_a_line_of_code_is_one_sentence_whatever_punctuation_it_holds():
    text = (
        "If we modify the file again:\n\n"
        "------------------------------------------------\n"
        "$ echo 'again?' >>file.txt\n"
        "$ git commit -m 'Fix it. Then ship'\n"
        "------------------------------------------------\n\n"
        ">>> print('Done! Next')\n"
        "Done! Next\n"
    )
    sentences = [text[a:b] for a, b in sentence_spans(text)]
    assert "$ echo 'again?' >>file.txt" in sentences
    assert "$ git commit -m 'Fix it. Then ship'" in sentences
    assert ">>> print('Done! Next')" in sentences


def test_a_tilde_underline_is_a_heading_not_a_code_fence():
    from retrieval.ingest.sentences import literal_lines

    lines = [
        "Branch management for a release",
        "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
        "",
        "The 'master' branch is supposed to be a superset of 'maint'. If this",
        "condition does not hold, the fixes will not be in the release.",
        "",
        "Examples",
        "~~~~~~~~",
        "",
        "Use a tarball as a starting point::",
        "+",
        "------------",
        "$ tar zxf frotz.tar.gz",
        "------------",
        "",
        "~~~",
        "code in a Markdown tilde fence",
        "~~~",
    ]
    assert literal_lines(lines) == {12, 16}  # the listing after "+", and the fenced line


def test_indented_lines_right_under_a_term_are_its_text_not_a_literal_block():
    from retrieval.ingest.sentences import literal_lines

    lines = [
        "I asked Git to ignore various files, yet they are still tracked::",
        "\tA `gitignore` file ensures that certain file(s) which are not",
        "\ttracked by Git remain untracked.  To untrack and",
        "\tignore files/patterns, use `git rm --cached <file/pattern>`",
        "\tand add a pattern to `.gitignore` that matches the <file>.",
        "",
        "Sort them like this::",
        "",
        "    sorted(data, key=len)",
    ]
    assert literal_lines(lines) == {8}  # only the block a blank line sets apart
    text = "\n".join(lines[:5])  # hard-wrapped, as the chunker reads such a file
    sentences = [" ".join(text[a:b].split()) for a, b in sentence_spans(text, wrapped=True)]
    assert (
        "To untrack and ignore files/patterns, use `git rm --cached <file/pattern>` "
        "and add a pattern to `.gitignore` that matches the <file>." in sentences
    )


def test_prose_around_a_listing_in_one_block_stays_wrapped_its_code_lines_do_not():
    """An AsciiDoc block: a listing, "+", then callouts whose text wraps (no blank lines)."""
    lines = [
        "------------",
        "$ git push satellite <4>",
        "------------",
        "+",
        "<4> push will stash all our work away on `remotes/satellite/*`",
        "remote-tracking branches on the mothership machine.  You could use this",
        "as a back-up method.",
        "<5> merge the work done on the satellite",
        "machine into the master branch.",
    ]
    text = "\n".join(lines)
    found = [text[a:b] for a, b in sentence_spans(text, wrapped=True, code=frozenset({1}))]
    assert found == [
        "------------",
        "$ git push satellite <4>",
        "------------",
        "+",
        "<4> push will stash all our work away on `remotes/satellite/*`\n"
        "remote-tracking branches on the mothership machine.",
        "You could use this\nas a back-up method.",
        "<5> merge the work done on the satellite\nmachine into the master branch.",
    ]


def test_a_list_item_runs_on_into_the_lines_indented_under_it():
    text = (
        "*\t<<ADMINISTRATION,Repository Administration>> commands are for system\n"
        "\tadministrators who are responsible for the care and feeding\n"
        "\tof Git repositories.\n"
        "* linkgit:git-switch[1] and linkgit:git-branch[1] to switch\n"
        "    branches.\n"
        "[[user-name]]\n"
        "How do I change my name?::"
    )
    assert texts_of_wrapped(text) == [
        "*\t<<ADMINISTRATION,Repository Administration>> commands are for system\n"
        "\tadministrators who are responsible for the care and feeding\n"
        "\tof Git repositories.",
        "* linkgit:git-switch[1] and linkgit:git-branch[1] to switch\n    branches.",
        "[[user-name]]",
        "How do I change my name?::",
    ]


def test_a_block_a_passage_opens_but_does_not_close_runs_to_its_end():
    from retrieval.ingest.sentences import literal_lines

    cut = ["Feed changes to upstream.::", "+", "------------", "$ git clone x", "$ git pull <6>"]
    assert literal_lines(cut) == set()  # a whole file must close its blocks
    assert literal_lines(cut, open_ended=True) == {3, 4}  # a passage cut from it need not
    fenced = ["Run this:", "", "```", "make test"]
    assert literal_lines(fenced, open_ended=True) == {3}
    # After a blank line, dashes may be a Markdown rule; at the top, a block's closing line.
    assert literal_lines(["Intro.", "", "----", "More prose."], open_ended=True) == set()
    assert literal_lines(["------------", "+", "<1> checkout."], open_ended=True) == set()


def test_a_fence_right_under_a_line_of_text_opens_code_a_long_underline_a_heading():
    from retrieval.ingest.sentences import literal_lines

    assert literal_lines(["Run this:", "```", "make test", "```"]) == {2}
    assert literal_lines(["Branch management", "~~~~~~~~~~~~~~~~~", "Prose.", "~~~"]) == set()


def test_punctuation_inside_inline_code_ends_no_sentence():
    text = (
        ":func:`zip(iterA, iterB, ...) <zip>` takes one element from each iterable.\n"
        "Values are sent by calling its :meth:`send(value)\n<generator.send>` method.  "
        "This method resumes the generator."
    )
    assert texts_of_wrapped(text) == [
        ":func:`zip(iterA, iterB, ...) <zip>` takes one element from each iterable.",
        "Values are sent by calling its :meth:`send(value)\n<generator.send>` method.",
        "This method resumes the generator.",
    ]


def test_a_line_of_code_the_chunker_knows_is_one_sentence_whatever_it_holds():
    text = "    # command line argument.  Convert to upper case to allow the user to\n    x = 1"
    assert sentence_spans(text, wrapped=True) != [(4, len(text.split("\n")[0]))]
    spans = sentence_spans(text, wrapped=True, code=frozenset({0, 1}))
    assert [text[a:b] for a, b in spans] == [
        "# command line argument.  Convert to upper case to allow the user to",
        "x = 1",
    ]


def test_a_title_over_and_underlined_with_dashes_is_a_heading_not_a_listing():
    title = (
        "Text above.\n\n----------------------\nKeyword-Only Arguments\n----------------------\n"
    )
    listing = "Text above.\n\n------------\n$ git init\n------------\n"
    assert literal_lines(title.split("\n")) == set()
    assert literal_lines(listing.split("\n")) == {3}  # a one-line AsciiDoc listing stays code
