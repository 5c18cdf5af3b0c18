"""What of a member's message is the question (answer/analysis.py)."""

from __future__ import annotations

import pytest

from retrieval.answer.analysis import normalise


@pytest.mark.parametrize(
    ("message", "question"),
    [
        (
            "hey, new here 👋 why did the gpt4 agent loops fail?",
            "why did the gpt4 agent loops fail?",
        ),
        ("hi! first time here :) which models are named?", "which models are named?"),
        ("dumb q but what is a counting argument", "what is a counting argument"),
        ("hey bot, quick one: what are collapsable boxes [99] lol", "what are collapsable boxes"),
    ],
)
def test_greetings_introductions_and_fillers_are_not_part_of_the_question(message, question):
    assert normalise(message) == question


@pytest.mark.parametrize(
    "message",
    [
        "first time using git on this laptop, how do i set my name?",
        "is the new heredoc syntax covered?",
    ],
)
def test_words_that_only_look_like_an_introduction_stay(message):
    assert normalise(message) == message
