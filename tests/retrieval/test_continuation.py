"""A lead-in and its block cut into two passages still answer together (answer/continuation.py)."""

from __future__ import annotations

from retrieval.answer.continuation import continued
from retrieval.answer.evidence import Evidence
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import Document
from tests.retrieval.test_spans import _WRAPPED_PROSE

_PAGE = (
    "Before doing anything else, it is a good idea to introduce yourself to Git with your\n"
    "name and public email address. The easiest way to do so is:\n"
    "\n"
    "------------------------------------------------\n"
    '$ git config --global user.name "Your Name Comes Here"\n'
    "$ git config --global user.email you@yourdomain.example.com\n"
    "------------------------------------------------\n"
    "\n"
    "Git will then use that name and address for every commit you make from now on.\n"
)


def _passages(text: str):
    """The page cut small, so the lead-in ends one passage and its block opens the next."""
    passages = chunk_corpus([Document("tutorial.txt", text)], chunk_chars=260)
    assert len(passages) >= 2
    return passages


def _neighbours(passages):
    """What the live index answers (`Retriever.neighbour`), over passages in file order."""

    def neighbour(passage, after):
        at = [p.id for p in passages].index(passage.id)
        at += 1 if after else -1
        return passages[at] if 0 <= at < len(passages) else None

    return neighbour


def _find(passages, words: str) -> Evidence:
    for passage in passages:
        for index in range(len(passage.sentences)):
            if words in passage.sentence_text(index):
                return Evidence(passage, 0, index, 0.5, 0.0)
    raise AssertionError(words)


def test_a_lead_in_at_a_passage_end_brings_the_block_that_opens_the_next():
    passages = _passages(_PAGE)
    lead_in = _find(passages, "The easiest way")
    shown = [e.text for e in continued([lead_in], _neighbours(passages), None)]
    assert shown == [
        "The easiest way to do so is:",
        '$ git config --global user.name "Your Name Comes Here"',
        "$ git config --global user.email you@yourdomain.example.com",
    ]


def test_a_command_that_opens_a_passage_brings_the_lead_in_that_ends_the_one_before():
    passages = _passages(_PAGE)
    command = _find(passages, "user.email")
    shown = [e.text for e in continued([command], _neighbours(passages), None)]
    assert shown == [
        "The easiest way to do so is:",
        "$ git config --global user.email you@yourdomain.example.com",
    ]


def test_a_lead_in_of_a_word_or_two_is_not_brought():
    page = _PAGE.replace("The easiest way to do so is:", "For example:")
    passages = _passages(page)
    command = _find(passages, "user.email")
    assert [e.text for e in continued([command], _neighbours(passages), None)] == [
        "$ git config --global user.email you@yourdomain.example.com"
    ]


def test_prose_after_a_passage_end_is_not_taken_for_what_a_colon_introduces():
    page = _PAGE.replace("------------------------------------------------\n", "").replace(
        "$ git config", "Then run git config"
    )
    passages = _passages(page)
    lead_in = _find(passages, "The easiest way")
    assert [e.text for e in continued([lead_in], _neighbours(passages), None)] == [
        "The easiest way to do so is:"
    ]


def test_without_a_neighbour_the_answer_is_unchanged():
    passages = _passages(_PAGE)
    lead_in = _find(passages, "The easiest way")
    assert continued([lead_in], lambda passage, after: None, None) == [lead_in]


_ROLES = (
    "Git users can broadly be grouped into four categories for everyday commands.\n"
    "\n"
    "*\tStandalone developers need the commands that anybody who commits\n"
    "\tneeds, even somebody who works alone.\n"
    "\n"
    "*\tParticipants who work with other people need the commands listed\n"
    "\tin the participant section as well.\n"
    "\n"
    "*\tIntegrators need to learn some more commands.\n"
    "\n"
    "*\tAdministrators run the commands for the care and feeding\n"
    "\tof Git repositories.\n"
)


def test_a_list_that_runs_on_into_the_next_passage_is_shown_whole():
    # Cut after the first item: the other three open the next passage.
    passages = chunk_corpus([Document("everyday.txt", _ROLES)], chunk_chars=240)
    assert len(passages) == 2 and "Standalone" in passages[0].text
    counted = _find(passages, "four categories")
    items = [
        Evidence(counted.passage, 0, i, 0.5, 0.0) for i in range(len(counted.passage.sentences))
    ]
    shown = " ".join(e.text for e in continued(items, _neighbours(passages), None))
    for role in ("Standalone", "Participants", "Integrators", "Administrators"):
        assert role in shown
    assert shown.endswith("of Git repositories.")  # the last item is not cut mid-sentence


def test_a_block_brought_from_the_next_passage_is_not_cut_mid_item():
    # The block that opens the next passage is longer than the limit, and its sixth line
    # stops mid-sentence: the lines that finish it come along, as within one passage.
    page = (
        "Everyday Git users fall into a handful of roles, and the commands each of them needs "
        "are described in turn in the sections below this one, starting with the roles:\n"
        "\n"
        "*\tA needs\n"
        "\tcommits.\n"
        "*\tB needs\n"
        "\tthe section.\n"
        "*\tC runs the\n"
        "\tcare and\n"
        "\tfeeding.\n"
        "*\tD needs more.\n"
    )
    passages = chunk_corpus([Document("everyday.txt", page)], chunk_chars=170)
    assert len(passages) == 2 and passages[1].sentence_text(0).endswith("A needs")
    lead_in = _find(passages, "starting with the roles:")
    shown = [e.text for e in continued([lead_in], _neighbours(passages), None)]
    assert shown[-1] == "feeding."


_RST = (
    ":func:`zip(iterA, iterB, ...) <zip>` takes one element from each iterable and\n"
    "returns them in a tuple.  It doesn't construct an in-memory list and exhaust all\n"
    "the input iterators before returning; instead tuples are constructed and returned\n"
    "only if they're requested.  (The technical term for this behaviour is lazy\n"
    "evaluation.)\n"
    "\n"
    "This iterator is intended to be used with iterables that are all of the same\n"
    "length.  If the iterables are of different lengths, the resulting stream will be\n"
    "the same length as the shortest iterable. ::\n"
    "\n"
    "    zip(['a', 'b'], (1, 2, 3)) =>\n"
    "      ('a', 1), ('b', 2)\n"
)


def test_a_sentence_marked_by_a_double_colon_of_its_own_is_the_lead_in_of_the_next_block():
    """reStructuredText's "... the shortest iterable. ::": the "::" shows nothing, so the
    sentence before it introduces the block, across a passage's edge either way."""
    passages = chunk_corpus([Document("functional.rst", _RST)], chunk_chars=300)
    before, block = passages[-2:]
    assert before.sentence_text(len(before.sentences) - 1) == "::"
    assert block.sentence_text(0).startswith("zip(")
    example = _find(passages, "zip(['a', 'b']")
    brought = [e.text for e in continued([example], _neighbours(passages), None)]
    assert brought[0].startswith("If the iterables are of different lengths")
    lead_in = _find(passages, "If the iterables")
    brought = [e.text for e in continued([lead_in], _neighbours(passages), None)]
    assert brought[0].startswith("If the iterables") and "zip(['a', 'b'], (1, 2, 3)) =>" in brought


def test_a_sentence_naming_the_table_below_brings_it_from_the_next_passage():
    text = (
        "The numeric values of logging levels are given in the following table. These are\n"
        "primarily of interest if you want to define your own levels, and need them to have\n"
        "specific values relative to the predefined levels.\n"
        "\n"
        "+--------------+---------------+\n"
        "| Level        | Numeric value |\n"
        "+==============+===============+\n"
        "| ``ERROR``    | 40            |\n"
        "+--------------+---------------+\n"
        "| ``WARNING``  | 30            |\n"
        "+--------------+---------------+\n"
    )
    passages = _passages(text)
    named = _find(passages, "following table")
    assert named.passage is not _find(passages, "ERROR").passage
    shown = [" ".join(e.text.split()) for e in continued([named], _neighbours(passages), None)]
    assert "| ``ERROR`` | 40 |" in shown and "| ``WARNING`` | 30 |" in shown


def test_a_question_that_ends_a_passage_brings_the_answer_that_opens_the_next():
    text = _WRAPPED_PROSE + (
        "\n"
        "What are the 7 digits of hex that Git responded to the commit with?\n"
        "\n"
        "We saw in part one of the tutorial that commits have names like this.\n"
        "Every object in the history is stored under a 40-digit hex name, and the\n"
        "seven characters are the abbreviation of that name.\n"
    )
    passages = chunk_corpus([Document("tutorial.txt", text)], chunk_chars=500)
    asked = _find(passages, "What are the 7 digits")
    assert asked.index == len(asked.passage.sentences) - 1  # the answer opens the next passage
    shown = [" ".join(e.text.split()) for e in continued([asked], _neighbours(passages), None)]
    assert shown[1:] == [
        "We saw in part one of the tutorial that commits have names like this.",
        "Every object in the history is stored under a 40-digit hex name, and the seven "
        "characters are the abbreviation of that name.",
    ]


_FAQ = _WRAPPED_PROSE + (
    "\n"
    "[[long-running-squash-merge]]\n"
    "What kinds of problems can occur when merging long-lived branches with squash merges?::\n"
    "\tIn general, there are a variety of problems that can occur when using squash\n"
    "\tmerges to merge two branches multiple times.  These can include seeing extra\n"
    "\tcommits in `git log` output, as well as the possibility of needing to re-resolve\n"
    "\tconflicts again and again.\n"
    "+\n"
    "When you perform a squash merge, a merge commit isn't created; instead, the\n"
    "changes from one side are applied as a regular commit to the other side.  This\n"
    "means that the merge base for these branches won't have changed.\n"
    "+\n"
    "As a consequence, it's best to always use a regular merge commit.\n"
)


def _entry(text: str):
    passages = chunk_corpus([Document("gitfaq.txt", text)], chunk_chars=420)
    asked = _find(passages, "What kinds of problems")
    answer = [Evidence(asked.passage, 0, i, 0.5, 0.0) for i in range(len(asked.passage.sentences))]
    assert _find(passages, "When you perform").passage is not asked.passage  # cut apart
    return passages, answer


def test_a_faq_answer_cut_at_a_passage_end_goes_on_into_the_next_passage():
    passages, answer = _entry(_FAQ)
    shown = [" ".join(e.text.split()) for e in continued(answer, _neighbours(passages), None)]
    assert (
        "When you perform a squash merge, a merge commit isn't created; instead, the "
        "changes from one side are applied as a regular commit to the other side." in shown
    )
    assert shown[: len(answer)] == [" ".join(e.text.split()) for e in answer]


def test_an_answer_is_not_carried_into_the_next_entry():
    text = _FAQ.replace(
        "When you perform", "[[other]]\nWhy does a revert come back?::\n\tWhen you perform"
    )
    passages, answer = _entry(text)
    assert continued(answer, _neighbours(passages), None) == answer


def test_a_commenters_question_mid_line_is_no_entry_whose_answer_goes_on():
    # Forum prose: a post a line, cut anywhere by the chunker; the question is the post's.
    post = (
        "Re: your point about goals. Is your basic thought something like: models only use "
        "their reasoning for the specified goal? If so, my feeling is that the question is "
        "whether other goals are compatible with training pressures as well. " * 3
    )
    passages = chunk_corpus(
        [Document("000.txt", post + "\nA second post follows here.\n")], chunk_chars=300
    )
    asked = _find(passages, "Is your basic thought")
    run = [
        Evidence(asked.passage, 0, i, 0.5, 0.0)
        for i in range(asked.index, len(asked.passage.sentences))
    ]
    assert continued(run, _neighbours(passages), None) == run
