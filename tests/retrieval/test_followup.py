"""Which messages lean on the conversation and which stand alone (answer/followup.py)."""

from __future__ import annotations

import pytest

from retrieval.answer.analysis import is_acknowledgement
from retrieval.answer.followup import depends_on_history, may_lean, resolve
from retrieval.types import Citation, Turn


@pytest.mark.parametrize(
    "message",
    [
        "why?",
        "what kind of stuff would go in one",
        "and the other ones?",
        "which of those two does the report argue for?",
        "what does that mean",
        "ok and what changed after that",
        # a pronoun after verbs of saying or making only: nothing named for it to stand for
        "who came up with it?",
        "ok who came up with it then?",
        "who wrote that post?",
        "give me an example",
        # "he" needs a person, and only a name or a word for one in the message can be him
        "give me the example he used",
        "what are the two sources he linked for that?",
        # what a question asks for ("which models") is not what its pronoun stands for
        "which models does he mean?",
        "which section was that in again?",
    ],
)
def test_messages_that_lean_on_the_last_answer(message):
    assert depends_on_history(message)


@pytest.mark.parametrize(
    "message",
    [
        "What is one argument against scheming in the report?",
        "what's the speed argument against schemers",
        "unrelated, but what's the point of the nvidia stock comment?",
        "How do I sort a list of tuples by the second item in Python?",
        # a pronoun that takes up the message's own words
        "what is the GIL and does it affect threads in python",
        "recv gave me 0 bytes back, what does that mean?",
        "was the post's main point new to them",
        "is cyborgism still worth it",
        "just did a git pull and regret it, how do I undo it",
        "give me an example of a generator expression",
        "does Nora think she was right",
        "does the commenter think its wrong to reason about LLMs like they're people",
        "why does the author of the HOWTO say he avoids lambda?",
        # "which paper was it where": a cleft, whose "it" points at nothing
        "which paper was it where claude quoted its own scenario?",
    ],
)
def test_messages_that_stand_alone(message):
    assert not depends_on_history(message)


@pytest.mark.parametrize(
    "message",
    [
        "how long should the first line of a commit message be?",
        "first time using git on this laptop, how do i tell it my name and email?",
    ],
)
def test_an_ordinal_in_a_question_of_its_own_is_not_a_citation(message):
    earlier = Turn("q?", "a [1] b [2]", (_citation(1), _citation(2)))
    assert resolve(message, [earlier]).text == message


def test_a_bare_ordinal_in_a_short_follow_up_is_a_citation():
    earlier = Turn("q?", "a [1] b [2]", (_citation(1), _citation(2)))
    assert resolve("and the second?", [earlier]).text == "and the second? (about: quote 2)"


def _citation(n: int) -> Citation:
    return Citation(n, "doc.txt", n, n, f"quote {n}")


def test_a_dependent_message_is_read_with_the_question_before_it():
    earlier = Turn("should I use footnotes or collapsable boxes?", "Boxes are prominent. [1]")
    resolved = resolve("what would go in one", [earlier])
    assert resolved.dependent
    assert resolved.text.startswith("should I use footnotes or collapsable boxes?")


@pytest.mark.parametrize(
    "message", ["any catch?", "why only partly silly though", "interesting, any downsides?"]
)
def test_short_why_and_any_questions_may_lean_on_the_last_answer(message):
    earlier = Turn("what is the upside of AI advisors? is it silly?", "They help. [1]")
    assert may_lean(message, earlier)
    resolved = resolve(message, [earlier])
    assert not resolved.dependent  # tried alone first
    assert resolved.leaning == f"{earlier.question} {message}"


@pytest.mark.parametrize(
    "message",
    [
        "what is the capital of France",
        "why is the sky blue",
        "why would gradient descent select against schemers with extra reasoning steps",
    ],
)
def test_other_questions_never_lean_on_the_conversation(message):
    # (none takes up a word of the turn before, and each names more than one thing)
    assert not may_lean(message, Turn("is it silly to ask about advisors?", "a [1]"))
    assert resolve(message, [Turn("q?", "a [1]")]).leaning == ""


def test_a_follow_up_to_a_refusal_is_read_as_one():
    resolved = resolve("who came up with it?", [Turn("whats cyborgism", "", refused=True)])
    assert resolved.dependent and resolved.follows_refusal


def test_a_follow_up_to_a_refusal_takes_up_what_it_was_about_not_what_it_asked():
    refused = Turn("what did the calc in 4.4.2 find, how much slower would it be", "", refused=True)
    resolved = resolve("ok then what was that calculation even about", [refused])
    assert resolved.text.startswith("ok then what was that calculation even about")
    assert "4.4.2" in resolved.text and "calc" in resolved.text
    assert "how much" not in resolved.text  # the refused question's amount is not asked again


def test_nothing_leans_on_a_refused_turn_unless_it_says_so():
    assert resolve("any catch?", [Turn("q?", "", refused=True)]).leaning == ""


@pytest.mark.parametrize("message", ["ok thanks!", "got it", "nice", "lol", "Makes sense."])
def test_acknowledgements_are_neither_questions_nor_follow_ups(message):
    assert is_acknowledgement(message)
    assert resolve(message, [Turn("q?", "a [1]")]).text == message


@pytest.mark.parametrize(
    "message", ["ok so why?", "nice, what is open agency", "no idea what SGD is"]
)
def test_questions_are_not_acknowledgements(message):
    assert not is_acknowledgement(message)
