"""The feedback store: one vote per member per answer, answers found by any of their messages."""

from __future__ import annotations

import sqlite3

import pytest

from bot.feedback import FeedbackStore, Posted
from retrieval.types import Citation, Turn


@pytest.fixture
def store(tmp_path):
    opened = FeedbackStore(tmp_path / "votes" / "feedback.sqlite3")
    yield opened
    opened.close()


def posted(answer_id: str = "a" * 16, **changes) -> Posted:
    fields = dict(
        answer_id=answer_id,
        kind="answer",
        asker_id=11,
        guild_id=1,
        channel_id=2,
        question="what is it?",
        answer="It is this. [1]",
        refused=False,
        citations=[Citation(1, "doc.txt", 3, 4, "It is this.", "https://example.org")],
        standalone="what is it?",
    )
    return Posted(**{**fields, **changes})


def test_saved_answer_round_trips_with_its_citations_and_messages(store):
    store.save(posted())
    store.link("a" * 16, [501, 502])
    found = store.for_messages([502, 999, 501])
    assert set(found) == {501, 502}
    again = found[501]
    assert again.citations == posted().citations
    assert again.message_ids == [501, 502]
    assert again.turn() == Turn("what is it?", "It is this. [1]", tuple(posted().citations))
    assert again.jump_url == "https://discord.com/channels/1/2/501"


def test_one_vote_per_member_per_answer_and_a_new_vote_replaces_the_old(store):
    store.save(posted())
    assert store.vote("a" * 16, 7, 1) is True
    assert store.vote("a" * 16, 7, 1) is False  # same vote again: nothing new
    assert store.tally("a" * 16) == (1, 0)
    assert store.vote("a" * 16, 7, -1) is True
    assert store.vote("a" * 16, 8, -1) is True
    assert store.tally("a" * 16) == (0, 2)


def test_the_database_itself_refuses_a_second_vote_row(store, tmp_path):
    store.save(posted())
    store.vote("a" * 16, 7, 1)
    raw = sqlite3.connect(tmp_path / "votes" / "feedback.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO votes VALUES (?, 7, -1, 0)", ("a" * 16,))
    raw.close()


def test_recent_downvoted_lists_newest_first_with_counts(store):
    for answer_id in ("1" * 16, "2" * 16, "3" * 16):
        store.save(posted(answer_id, question=f"question {answer_id[0]}"))
    store.vote("1" * 16, 7, -1)
    store.vote("2" * 16, 7, 1)  # only 👍: not listed
    store.vote("3" * 16, 7, -1)
    store.vote("3" * 16, 8, 1)
    listed = store.recent_downvoted()
    assert [d.posted.question for d in listed] == ["question 3", "question 1"]
    assert (listed[0].down, listed[0].up) == (1, 1)


def test_unknown_answer_is_none(store):
    assert store.get("f" * 16) is None
    assert store.for_messages([1, 2]) == {}
