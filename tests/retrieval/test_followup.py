"""Which messages lean on the conversation and which stand alone (answer/followup.py)."""

from __future__ import annotations

import pytest

from retrieval.answer.followup import depends_on_history, resolve
from retrieval.types import Turn


@pytest.mark.parametrize(
    "message",
    [
        "why?",
        "what kind of stuff would go in one",
        "and the other ones?",
        "which of those two does the report argue for?",
        "what does that mean",
        "ok and what changed after that",
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
    ],
)
def test_messages_that_stand_alone(message):
    assert not depends_on_history(message)


def test_a_dependent_message_is_read_with_the_question_before_it():
    earlier = Turn("should I use footnotes or collapsable boxes?", "Boxes are prominent. [1]")
    resolved = resolve("what would go in one", [earlier])
    assert resolved.dependent
    assert resolved.text.startswith("should I use footnotes or collapsable boxes?")
