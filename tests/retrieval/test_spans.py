"""Whole thoughts, not fragments: what a chosen sentence brings along (answer/spans.py)."""

from __future__ import annotations

from retrieval.answer.evidence import Evidence, is_heading_at
from retrieval.answer.extractive import compose, shown
from retrieval.answer.spans import (
    extend,
    is_code,
    names_block_below,
    with_gaps_filled,
    with_lead_ins,
)
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import Document
from retrieval.types import Citation, Passage

# Enough hard-wrapped lines for the chunker to read a text as wrapped prose.
_WRAPPED_PROSE = (
    "More wrapped prose follows on this line so that the text reads as wrapped prose,\n"
    "and it goes on for a few more lines with sentences that run across the breaks\n"
    "between lines, the way documentation in reStructuredText is written, one line\n"
    "after another, each shorter than a hundred characters, as most such files are\n"
    "when they are kept in a repository and read in a terminal or an editor window\n"
    "that is not very wide at all.\n"
)


def passage_of(text: str) -> Passage:
    (passage,) = chunk_corpus([Document("doc.txt", text)], chunk_chars=5000)
    return passage


def sentence_at(passage: Passage, words: str) -> int:
    """The index of the passage's first sentence that holds `words` (line breaks as spaces)."""
    flat = [" ".join(passage.sentence_text(i).split()) for i in range(len(passage.sentences))]
    return next(i for i, text in enumerate(flat) if words in text)


def flat_answer_from(passage: Passage, words: str) -> list[str]:
    """The sentences shown when the one holding `words` was picked, line breaks as spaces."""
    return [" ".join(s.split()) for s in answer_from(passage, sentence_at(passage, words))]


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


def test_a_line_chosen_after_one_that_stops_mid_sentence_brings_its_beginning():
    # The quoted claims alone do not say what they are: the line above them does.
    passage = passage_of(
        "The strongest argument is a combination of\n"
        "“SGD prefers non-schemers” and “training gets the model SGD prefers.”\n"
        "My sense is that both are plausible.\n"
    )
    assert answer_from(passage, 1) == [
        "The strongest argument is a combination of",
        "“SGD prefers non-schemers” and “training gets the model SGD prefers.”",
    ]


def test_a_sentence_ending_on_a_preposition_and_a_full_stop_has_ended():
    # "... that SGD ends up with." is finished: it neither brings the next sentence nor is
    # brought as the lead-in of it.
    passage = passage_of(
        "What matters is the preference that SGD ends up with. Framing it as a counting "
        "argument might be productive.\n"
    )
    assert answer_from(passage, 0) == ["What matters is the preference that SGD ends up with."]
    assert answer_from(passage, 1) == ["Framing it as a counting argument might be productive."]


def test_a_finished_line_does_not_run_into_the_next_post():
    passage = passage_of("I think scheming is likely.\nUnrelated reply about boxes.\n")
    assert answer_from(passage, 0) == ["I think scheming is likely."]


def test_a_question_in_the_text_brings_the_sentence_that_answers_it():
    passage = passage_of(
        "This prints True.  (Why is NFD called twice?  Because casefold can return a\n"
        "string that is not normalized, so it must be normalized again.)  Next topic here.\n"
        + _WRAPPED_PROSE
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


_EXAMPLE = (
    "To change the format, you need to\n"
    "specify the format you want to use::\n"
    "\n"
    "   import logging\n"
    "   if logging:\n"
    "       logging.warning('And this, too')\n"
    "\n" + _WRAPPED_PROSE
)


def test_a_line_of_code_is_shown_with_what_introduces_it_laid_out_as_code():
    passage = passage_of(_EXAMPLE)
    code = next(i for i, s in enumerate(passage.sentences) if "warning" in passage.sentence_text(i))
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    chosen = extend(with_lead_ins([evidence[code]], evidence), evidence)
    text, citations = compose(chosen)
    assert text == (
        "To change the format, you need to specify the format you want to use:\n"
        "    import logging\n"
        "    if logging:\n"
        "        logging.warning('And this, too') [1]"
    )
    assert citations[0].quote.startswith("To change the format")


def test_indented_prose_under_a_note_is_not_code():
    passage = passage_of(
        ".. note::\n\n   This is a note that reads\n   as one sentence.\n\n" + _WRAPPED_PROSE
    )
    assert passage.sentence_text(1) == "This is a note that reads\n   as one sentence."
    assert not is_code(passage, 1)


def test_a_doctest_and_its_output_are_code_and_prose_after_it_starts_a_new_line():
    passage = passage_of(
        "Sorting is easy:\n\n>>> sorted([3, 1])\n[1, 3]\n\nThe result is a new list.\n"
        + _WRAPPED_PROSE
    )
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(4)]
    assert [is_code(passage, i) for i in range(4)] == [False, True, True, False]
    text, _ = compose(evidence)
    assert (
        text
        == "Sorting is easy:\n    >>> sorted([3, 1])\n    [1, 3]\nThe result is a new list. [1]"
    )


def test_the_gate_drops_a_rejected_citation_after_a_line_of_code(tmp_path):
    from retrieval.answer.citations import CitationGate, CorpusLines

    (tmp_path / "a.rst").write_text("Use this:\n\n    x = 1\n\nSecond point.\n")
    good = Citation(1, "a.rst", 1, 3, "Use this:\n\n    x = 1")
    bad = Citation(2, "a.rst", 5, 5, "Not in the file.")
    text = "Use this:\n    x = 1 [1]\nNot in the file. [2]"
    gated = CitationGate(CorpusLines(tmp_path)).check(text, [good, bad])
    assert gated.text == "Use this:\n    x = 1 [1]"
    assert [c.n for c in gated.citations] == [1]


def test_each_list_item_an_answer_brings_starts_a_line_of_its_own():
    passage = passage_of(
        "You can configure it in three ways:\n\n"
        "1. Creating loggers in code.\n"
        "2. Reading a config file.\n\n"
        "Most programs use the first.\n"
    )
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    text, _ = compose(extend([evidence[0]], evidence))
    assert text == (
        "You can configure it in three ways:\n1. Creating loggers in code.\n"
        "2. Reading a config file. [1]"
    )


_ASCIIDOC = (
    "Introduce yourself to Git before anything else. The easiest way to do so is:\n\n"
    "------------------------------------------------\n"
    '$ git config --global user.name "Your Name Comes Here"\n'
    "$ git config --global user.email you@yourdomain.example.com\n"
    "------------------------------------------------\n\n"
    "How do I change it?::\n"
    "\tYou can make the appropriate change to your working tree, run git add on it\n"
    "\tto stage it, and then commit again with the amend option to replace it.\n"
)


def test_an_asciidoc_listing_is_code_and_its_last_line_no_heading():
    passage = passage_of(_ASCIIDOC)
    texts = [" ".join(passage.sentence_text(i).split()) for i in range(len(passage.sentences))]
    name = texts.index('$ git config --global user.name "Your Name Comes Here"')
    email = name + 1
    assert is_code(passage, name) and is_code(passage, email)
    assert not is_heading_at(passage, email)  # the closing "----" is no underline
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    text, _ = compose(extend([evidence[1]], evidence))
    assert "is:\n    $ git config --global user.name" in text


def test_an_indented_answer_under_a_question_label_is_prose_not_code():
    passage = passage_of(_ASCIIDOC)
    texts = [passage.sentence_text(i) for i in range(len(passage.sentences))]
    answer = next(i for i, t in enumerate(texts) if t.startswith("You can make the appropriate"))
    assert not is_code(passage, answer) and not is_code(passage, answer + 1)


def test_a_command_is_shown_with_the_sentence_before_its_block_even_without_a_colon():
    passage = passage_of(
        "At this point you could delete the experimental branch with\n\n"
        "------------------------------------------------\n"
        "$ git branch -d experimental\n"
        "------------------------------------------------\n\n"
        "That is all.\n"
    )
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    command = next(i for i, e in enumerate(evidence) if "$ git branch" in e.text)
    chosen = with_lead_ins([evidence[command]], evidence)
    assert [e.text for e in chosen] == [
        "At this point you could delete the experimental branch with",
        "$ git branch -d experimental",
    ]


def test_the_sentences_of_one_list_item_stay_on_its_line():
    passage = passage_of(
        "c) The discussion of feelings is interesting. LLMs are trained on human data.\n"
        "d) The experiment may be too artificial to tell us much.\n"
    )
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(3)]
    text, _ = compose(evidence)
    assert text == (
        "c) The discussion of feelings is interesting. LLMs are trained on human data.\n"
        "d) The experiment may be too artificial to tell us much. [1]"
    )


def test_a_colon_brings_the_asciidoc_example_block_it_introduces_without_its_markup():
    passage = passage_of(
        "If the maintainer tells you that your patch no longer applies, you will have to\n"
        "rebase your topic:\n\n"
        ".format-patch/am: Keeping topics up to date\n"
        '[caption="Recipe: "]\n'
        "=====================================\n"
        "`git pull --rebase <URL> <branch>`\n"
        "=====================================\n\n"
        "You can then fix the conflicts during the rebase.\n"
    )
    lead_in = next(
        i for i in range(len(passage.sentences)) if "rebase your" in passage.sentence_text(i)
    )
    assert answer_from(passage, lead_in)[-1] == "`git pull --rebase <URL> <branch>`"
    assert not any("caption" in s or s.startswith(".format") for s in answer_from(passage, lead_in))


def test_output_lines_that_start_with_a_dot_stay_in_their_listing():
    passage = passage_of(
        "All of these objects are stored under their names inside the Git directory:\n\n"
        "------------------------------------------------\n"
        "$ find .git/objects/\n"
        ".git/objects/\n"
        ".git/objects/pack\n"
        "------------------------------------------------\n"
    )
    assert answer_from(passage, 0)[1:] == [
        "$ find .git/objects/",
        ".git/objects/",
        ".git/objects/pack",
    ]


def test_an_asciidoc_block_title_is_a_heading_and_never_the_answer():
    passage = passage_of(
        "Throw-away integration branches are for testing.\n\n"
        ".Throw-away integration branches\n"
        '[caption="Rule: "]\n'
        "=====================================\n"
        "To test the interaction of several topics, merge them into a throw-away branch.\n"
        "You must never base any work on such a branch!\n"
        "=====================================\n"
    )
    texts = [passage.sentence_text(i) for i in range(len(passage.sentences))]
    title = texts.index(".Throw-away integration branches")
    assert is_heading_at(passage, title)
    assert not is_heading_at(passage, texts.index("You must never base any work on such a branch!"))
    assert not is_heading_at(passage, 0)  # prose that starts a line, not a title


def test_two_shown_sentences_one_apart_bring_the_one_between():
    # Six wrapped lines: too few for the passage alone to look wrapped, but its first
    # sentence runs across a line break, so the chunker read the file as wrapped prose.
    tee = (
        "The tee function replicates an iterator; it\n"
        "returns *n* independent iterators over the source.\n"
        "If you don't supply a value for *n*, the default is 2.  Replicating\n"
        "iterators saves some of the source's contents, so it can use\n"
        "significant memory.\n"
    )
    passages = chunk_corpus([Document("doc.txt", _WRAPPED_PROSE + "\n" + tee)], chunk_chars=300)
    (passage,) = [p for p in passages if "tee function" in p.text]
    texts = [" ".join(passage.sentence_text(i).split()) for i in range(len(passage.sentences))]
    assert texts[1] == "If you don't supply a value for *n*, the default is 2."
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    filled = with_gaps_filled([evidence[0], evidence[2]], evidence)
    assert [e.index for e in filled] == [0, 1, 2]
    assert [e.index for e in with_gaps_filled([evidence[0]], evidence)] == [0]


def test_sentences_of_separate_paragraphs_are_not_joined():
    passage = passage_of("First paragraph ends here.\n\nA lone one.\n\nThird paragraph here.\n")
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    assert [e.index for e in with_gaps_filled([evidence[0], evidence[2]], evidence)] == [0, 2]


def test_a_sentence_that_counts_the_items_of_the_list_below_brings_the_list():
    passage = passage_of(
        "The library offers several categories of components.\n\n"
        "* Loggers expose the interface that code uses.\n"
        "* Handlers send the records to their destination.\n\n"
        "The sort is stable.\n\n"
        "* The sort is stable -- if two items have the same key, their order is kept.\n"
        "* The original items need not be comparable.\n"
    )
    texts = [" ".join(passage.sentence_text(i).split()) for i in range(len(passage.sentences))]
    shown = answer_from(passage, 0)
    assert any("Loggers expose" in s for s in shown) and any("Handlers send" in s for s in shown)
    # A list item that counts ("two items") announces none of its siblings.
    item = texts.index(
        "* The sort is stable -- if two items have the same key, their order is kept."
    )
    assert not any("need not be comparable" in s for s in answer_from(passage, item))


def test_a_sentence_brought_in_brings_the_example_that_follows_it():
    passage = passage_of(
        "The strongest argument is a combination of\n"
        "“SGD prefers non-schemers” and “training gets the model SGD prefers.” "
        "For example, SGD punishes the extra reasoning schemers do.\n"
        "An unrelated remark closes the comment.\n"
    )
    shown = answer_from(passage, 0)
    assert "For example, SGD punishes the extra reasoning schemers do." in shown
    assert "An unrelated remark closes the comment." not in shown


def test_a_list_longer_than_the_block_limit_is_not_cut_mid_item():
    text = (
        "The roles are these:\n"
        "\n"
        "*\tStandalone developers need the commands\n"
        "\tthat anybody who commits needs.\n"
        "*\tParticipants need the commands listed\n"
        "\tin the participant section as well.\n"
        "*\tAdministrators run the commands for the care\n"
        "\tand feeding of the repositories\n"
        "\ton the shared server.\n"
        "*\tIntegrators need more commands.\n"
    )
    shown = answer_from(passage_of(text), 0)
    assert shown[-1] == "on the shared server."
    assert "Integrators need more commands." not in shown


def test_a_markdown_fence_with_its_language_is_markup_and_its_lead_in_prose():
    passage = passage_of(
        "To install with CUDA support, set the variable before installing:\n\n"
        '```bash\nCMAKE_ARGS="-DGGML_CUDA=on" pip install llama-cpp-python\n```\n'
    )
    command = next(i for i in range(len(passage.sentences)) if is_code(passage, i))
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    text, _ = compose(extend(with_lead_ins([evidence[command]], evidence), evidence))
    assert text == (
        "To install with CUDA support, set the variable before installing:\n"
        '    CMAKE_ARGS="-DGGML_CUDA=on" pip install llama-cpp-python [1]'
    )


def test_each_row_of_a_table_an_answer_shows_starts_a_line_of_its_own():
    passage = passage_of(
        "| `--port PORT` | port to listen (default: 8080) |\n"
        "| `--reuse-port` | allow multiple sockets to bind to the same port |\n"
    )
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    text, _ = compose(evidence)
    assert text.split("\n") == [
        "| `--port PORT` | port to listen (default: 8080) |",
        "| `--reuse-port` | allow multiple sockets to bind to the same port | [1]",
    ]


def test_a_heading_an_answer_shows_stands_on_a_line_of_its_own_without_its_marks():
    passage = passage_of("### Docker\n\n```\ndocker run -p 8080:8080 llama.cpp:server\n```\n")
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    text, _ = compose(evidence)
    assert text == "Docker\n    docker run -p 8080:8080 llama.cpp:server [1]"
    passage = passage_of("# Setup\nRun the installer first. Then restart.\n")
    evidence = [Evidence(passage, 0, i, 0.5, 0.0) for i in range(len(passage.sentences))]
    assert compose(evidence)[0] == "Setup\nRun the installer first. Then restart. [1]"


def test_neither_a_line_above_a_fence_nor_a_comment_in_code_is_a_heading():
    passage = passage_of(
        "Comments can be specified with `#`:\n```\n# defines optional whitespace\n"
        "ws ::= [ ]+\n```\n\nExploring history\n-----------------\n\n"
        "Git history is a series of commits.\n"
    )
    headings = [
        passage.sentence_text(i)
        for i in range(len(passage.sentences))
        if is_heading_at(passage, i) and any(c.isalnum() for c in passage.sentence_text(i))
    ]
    assert headings == ["Exploring history"]


def test_a_line_of_code_comes_with_the_sentence_after_its_block_that_says_what_it_does():
    passage = passage_of(
        "She can use the three-dot form instead:\n\n"
        "------------------------------------------------\n"
        "$ gitk HEAD...FETCH_HEAD\n"
        "------------------------------------------------\n\n"
        'This means "show everything that is reachable from either one".\n\n'
        "Please note that these range notations can be used with git log.\n"
    )
    command = next(i for i in range(len(passage.sentences)) if "gitk" in passage.sentence_text(i))
    shown = answer_from(passage, command)
    assert shown[-1].startswith("This means")
    assert not any(s.startswith("Please note") for s in shown)


_LEVELS = (
    "The numeric values of logging levels are given in the following table. These are\n"
    "primarily of interest if you want to define your own levels.\n"
    "\n"
    "+--------------+---------------+\n"
    "| Level        | Numeric value |\n"
    "+==============+===============+\n"
    "| ``CRITICAL`` | 50            |\n"
    "+--------------+---------------+\n"
    "| ``ERROR``    | 40            |\n"
    "+--------------+---------------+\n"
    "\n"
    "Levels can also be associated with loggers.\n"
)


def test_a_sentence_naming_the_following_table_brings_its_rows_without_the_frame():
    passage = passage_of(_WRAPPED_PROSE + "\n" + _LEVELS)
    shown = flat_answer_from(passage, "following")
    assert "| ``ERROR`` | 40 |" in shown
    assert "| Level | Numeric value |" in shown
    assert not any(s.startswith("+") for s in shown)
    assert not any("associated with loggers" in s for s in shown)


def test_a_table_whose_cells_wrap_onto_several_lines_is_not_shown_in_fragments():
    passage = passage_of(
        _WRAPPED_PROSE + "\n"
        "Here is a list of things you can do:\n"
        "\n"
        "+---------------------------+--------------------------+\n"
        "| What you don't want       | How to avoid it          |\n"
        "+===========================+==========================+\n"
        "| Information about where   | Set ``_srcfile`` to      |\n"
        "| calls were made from.     | ``None``.                |\n"
        "+---------------------------+--------------------------+\n"
    )
    shown = answer_from(passage, sentence_at(passage, "list of things"))
    assert not any("where" in s or "_srcfile" in s or "What you" in s for s in shown)


def test_such_an_argument_brings_the_sentence_that_names_it():
    passage = passage_of(
        _WRAPPED_PROSE + "\n"
        "Lots of commands take a tree as an argument and accept any of its names. In\n"
        'command synopses, the word "tree-ish" is used to designate such an argument.\n'
        "\n"
        "A mark is not needed. Some encodings, such as UTF-16, need a mark; when such an\n"
        "encoding is used it is written.\n"
    )
    synopses = sentence_at(passage, "In command synopses")
    assert answer_from(passage, synopses)[0].startswith("Lots of commands take a tree")
    # "such an encoding" takes up what its own sentence named ("Some encodings, such as ...")
    assert len(answer_from(passage, sentence_at(passage, "Some encodings"))) == 1


def test_a_command_with_a_callout_marker_brings_the_note_below_its_block_that_explains_it():
    passage = passage_of(
        "Use a tarball as a starting point for a new repository.::\n"
        "+\n"
        "------------\n"
        "$ git init\n"
        "$ git add . <1>\n"
        "$ git tag v2.43 <2>\n"
        "------------\n"
        "+\n"
        "<1> add everything under the current directory.\n"
        "<2> make a lightweight, unannotated tag.\n"
    )
    shown = answer_from(passage, sentence_at(passage, "git tag"))
    assert shown[-1] == "<2> make a lightweight, unannotated tag."
    assert not any(s.startswith("<1>") for s in shown)


def test_a_question_standing_as_a_paragraph_brings_the_paragraph_that_answers_it():
    passage = passage_of(
        _WRAPPED_PROSE + "\n"
        "What are the 7 digits of hex that Git responded to the commit with?\n"
        "\n"
        "We saw in part one of the tutorial that commits have names like this.\n"
        "Every object is stored under a 40-digit hex name. The 7 char hex strings\n"
        "here are simply the abbreviation of such names. Commands take them too.\n"
    )
    shown = flat_answer_from(passage, "What are")
    assert shown[1:] == [
        "We saw in part one of the tutorial that commits have names like this.",
        "Every object is stored under a 40-digit hex name.",
        "The 7 char hex strings here are simply the abbreviation of such names.",
    ]


def test_a_question_on_a_line_of_a_forum_dump_does_not_bring_the_next_post():
    passage = passage_of(
        "In what sense is this true?\nA different commenter writes about something else.\n"
    )
    assert answer_from(passage, 0) == ["In what sense is this true?"]


def test_a_row_of_badges_is_markup_and_never_the_answer():
    passage = passage_of(
        "[![Tests](https://example.org/badge.svg)](https://example.org/ci) "
        "![PyPI](https://img.shields.io/pypi/v/pkg)\n\n"
        "The package binds the library; see ![diagram](d.png) for its layers.\n"
    )
    assert is_heading_at(passage, 0)
    assert not is_heading_at(passage, len(passage.sentences) - 1)  # prose with an image in it


def test_a_paragraph_that_opens_by_taking_up_the_one_above_brings_its_last_sentence():
    passage = passage_of(
        _WRAPPED_PROSE + "\n"
        "Lots of commands take a tree as an argument, and most such commands accept\n"
        "any of its names.\n"
        "\n"
        'In command synopses, the word "tree-ish" is used to designate such an\n'
        "argument.\n"
        "\n"
        "It is expected that your commit names differ from the ones shown here.\n"
    )
    shown = flat_answer_from(passage, "In command")
    assert shown[0].startswith("Lots of commands take a tree")
    # an opening "It is ..." points at nothing
    assert len(answer_from(passage, sentence_at(passage, "It is expected"))) == 1


def test_a_line_of_a_forum_dump_that_takes_up_something_does_not_bring_the_post_above():
    passage = passage_of(
        "Lots of people argue about goals.\nSuch an argument never convinced me.\n"
    )
    assert answer_from(passage, 1) == ["Such an argument never convinced me."]


def test_only_a_sentence_that_does_not_end_in_a_colon_names_a_block_past_its_paragraph():
    passage = passage_of(
        "You could write something like the following in the config, substituting the key:\n"
        "The values are given in the following table.\n"
    )
    assert not names_block_below(passage, 0)  # its colon introduces the block right under it
    assert names_block_below(passage, 1)


def test_another_of_a_kind_brings_the_paragraph_that_names_the_first_past_the_example():
    passage = passage_of(
        _WRAPPED_PROSE + "\n"
        "Sorting\n"
        "=======\n"
        "\n"
        "Another useful data type is the dictionary, which maps keys to values.\n"
        "\n"
        "You can also use the list.sort method. It modifies the list in-place and returns\n"
        "None. Usually it is less convenient than sorted.\n"
        "\n"
        "    >>> a = [5, 2, 3]\n"
        "    >>> a.sort()\n"
        "\n"
        "Another difference is that the list.sort method is only defined for lists.\n"
        "The simplest way is to print them. Another common way is to write them to a file.\n"
    )
    shown = flat_answer_from(passage, "Another d")
    assert shown == [
        "You can also use the list.sort method.",
        "It modifies the list in-place and returns None.",
        "Usually it is less convenient than sorted.",
        "Another difference is that the list.sort method is only defined for lists.",
    ]
    # in its paragraph, the sentence before names the first one
    assert answer_from(passage, sentence_at(passage, "Another common way"))[0].startswith(
        "The simplest way"
    )
    # under a heading, the first one is in a section the answer does not hold
    assert len(answer_from(passage, sentence_at(passage, "Another useful"))) == 1


def test_another_in_a_forum_dump_does_not_bring_the_post_above():
    passage = passage_of("I like the speed argument.\nAnother point is that SGD is noisy.\n")
    assert answer_from(passage, 1) == ["Another point is that SGD is noisy."]
