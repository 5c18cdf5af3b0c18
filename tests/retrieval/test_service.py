"""Answers: cited, verbatim, refusing when the texts are silent, and strict about input."""

from __future__ import annotations

import pytest

from bot.terminal.render import answer_json
from retrieval.errors import QuestionError
from retrieval.ingest.corpus import read_lines
from retrieval.types import Citation, Refusal, RefusalReason, Turn

SEED_000 = "000_ca3cea7e8a48471e.txt"
SEED_003 = "003_6fe5a58e943e7eb6.txt"
NO_EVIDENCE = Refusal(RefusalReason.NO_EVIDENCE)


def assert_verbatim(service, citations):
    for c in citations:
        lines = read_lines(service.settings.corpus_dir, c.source, c.line_start, c.line_end)
        assert c.quote and c.quote in lines, c


def test_an_answer_cites_verbatim_quotes_with_numbered_markers(seed_service):
    answer = seed_service.ask("Why would SGD prefer models that are not schemers?")
    assert not answer.refused
    assert answer.citations
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert f"[{c.n}]" in answer.text
    assert_verbatim(seed_service, answer.citations)
    assert answer.citations[0].source == SEED_000


@pytest.mark.parametrize(
    ("question", "source", "line"),
    [
        ("what does section 4.4.2 include?", SEED_000, 2),
        ("What happened with the o1 series?", SEED_003, 5),
        ("Does RLHF remove everything?", SEED_003, 7),
        ("why use collapsable boxes rather than footnotes", SEED_003, 27),
    ],
)
def test_exact_terms_and_paraphrases_find_their_passage(seed_service, question, source, line):
    answer = seed_service.ask(question)
    assert any(
        c.source == source and c.line_start <= line <= c.line_end for c in answer.citations
    ), answer.citations


def test_the_duplicated_comments_are_cited_once_at_their_first_place(seed_service):
    answer = seed_service.ask("What is the speed argument against schemers?")
    cited = [(c.source, c.line_start) for c in answer.citations]
    assert len(cited) == len(set(cited))
    assert all(c.line_end <= 10 for c in answer.citations if c.source == SEED_000)


@pytest.mark.parametrize(
    "question", ["How long should I boil an egg?", "Who won the 2022 World Cup final?"]
)
def test_questions_the_texts_do_not_answer_are_refused_without_citations(seed_service, question):
    answer = seed_service.ask(question)
    assert answer.refused
    assert answer.citations == ()
    assert answer.refusal == NO_EVIDENCE


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x01"])
def test_empty_questions_are_a_clear_error(seed_service, question):
    with pytest.raises(QuestionError, match="empty"):
        seed_service.ask(question)


def test_a_question_of_100000_characters_is_a_clear_error(seed_service):
    with pytest.raises(QuestionError, match="limit"):
        seed_service.ask("why " * 25_000)


def test_control_characters_are_stripped_from_questions(seed_service):
    # Zero-width and other format characters go too: they hide text from moderators.
    assert seed_service.clean_question("what\x00 is\u200b o1?\x1b[31m") == "what is o1? [31m"


def test_a_follow_up_resolves_to_the_earlier_subject(seed_service):
    first = seed_service.ask("What did the commenter think about ChatGPT's alignment?")
    history = [Turn(first.question, first.text, tuple(first.citations))]
    follow = seed_service.ask("why was that?", history)
    assert "ChatGPT" in follow.standalone_question
    assert not follow.refused


def test_a_follow_up_says_more_instead_of_repeating_the_answer(seed_service):
    first = seed_service.ask("What did the commenter think about ChatGPT's alignment?")
    history = [Turn(first.question, first.text, tuple(first.citations))]
    follow = seed_service.ask("why?", history)
    before = {" ".join(c.quote.split()) for c in first.citations}
    assert follow.citations and not follow.refused
    # A line already shown may stand beside new ones (the reason may be in it), never alone.
    assert any(" ".join(c.quote.split()) not in before for c in follow.citations)


def test_a_short_question_about_the_last_answer_is_read_with_it(seed_service):
    # "any catch?" alone finds nothing; it asks about the answer just given, whose own
    # paragraph (003, line 32) names the catch.
    question = "Whats the upside of building AI advisor systems instead of letting AIs do the work?"
    first = seed_service.ask(question)
    assert any(c.line_start <= 32 <= c.line_end for c in first.citations)
    history = [Turn(first.question, first.text, tuple(first.citations))]
    follow = seed_service.ask("any catch?", history)
    assert not follow.refused and follow.standalone_question.startswith("Whats the upside")
    assert "differentially benefits safety" in follow.text


@pytest.mark.parametrize("message", ["what is the capital of France", "why is the sky blue"])
def test_a_new_question_the_texts_do_not_answer_is_refused_after_an_answer(seed_service, message):
    first = seed_service.ask("What are collapsable boxes?")
    history = [Turn(first.question, first.text, tuple(first.citations))]
    assert seed_service.ask(message, history).refused


@pytest.mark.parametrize("message", ["thanks!", "ok cool, got it", "nice"])
def test_an_acknowledgement_asks_nothing_and_repeats_nothing(seed_service, message):
    first = seed_service.ask("What are collapsable boxes?")
    history = [Turn(first.question, first.text, tuple(first.citations))]
    answer = seed_service.ask(message, history)
    assert answer.refusal == Refusal(RefusalReason.NOTHING_ASKED) and not answer.citations


def test_an_ordinal_follow_up_points_at_that_citation(seed_service):
    cited = (
        Citation(1, SEED_003, 25, 25, "Collapsable boxes are amazing."),
        Citation(2, SEED_003, 5, 5, "reached the o1 series of models"),
    )
    follow = seed_service.ask(
        "tell me more about the second one", [Turn("q", "a [1] b [2]", cited)]
    )
    assert "o1 series" in follow.standalone_question
    assert any(c.line_start <= 5 <= c.line_end for c in follow.citations)


@pytest.mark.parametrize("follow_up", ["tell me more about the second one", "what about [3]"])
def test_a_follow_up_about_a_citation_the_answer_did_not_have_says_how_many_it_had(
    seed_service, follow_up
):
    cited = (Citation(1, SEED_003, 25, 25, "Collapsable boxes are amazing."),)
    with pytest.raises(QuestionError, match=r"cited 1 source, so there is no \[\d\]"):
        seed_service.ask(follow_up, [Turn("q", "a [1]", cited)])


def test_an_ordinal_about_the_texts_is_not_taken_for_a_citation(seed_service):
    cited = (Citation(1, SEED_000, 3, 3, "Indeed, I think that maybe the strongest"),)
    follow = seed_service.ask("and what does the second premise say", [Turn("q", "a [1]", cited)])
    assert not follow.refused


def test_the_gate_drops_a_claim_whose_quote_is_not_at_its_lines(seed_service):
    good = Citation(1, SEED_003, 25, 25, "Collapsable boxes are amazing.")
    invented = Citation(2, SEED_003, 1, 1, "Collapsable boxes are amazing.")
    gated = seed_service.stages.gate.check("Boxes. [1] Also boxes. [2]", [good, invented])
    assert gated.citations == (good,)
    assert gated.text == "Boxes. [1]"
    assert gated.stats["citations_rejected"] == 1


def test_sources_lists_documents_with_sizes(seed_service):
    info = seed_service.sources()
    assert set(info.documents) == {SEED_000, SEED_003}
    assert info.documents[SEED_003]["lines"] == 38
    assert info.passages > 0 and info.built_at > 0


def test_json_has_the_contracted_fields(seed_service):
    data = answer_json(seed_service.ask("What is cyborgism about?"))
    assert {"question", "answer", "refused", "citations", "timings_ms"} <= set(data)
    for c in data["citations"]:
        assert {"n", "source", "line_start", "line_end", "quote"} <= set(c)
    assert data["timings_ms"]["total"] > 0


def test_a_follow_up_of_a_refused_question_says_there_is_nothing_to_follow(seed_service):
    refused = seed_service.ask("How long should I boil an egg?")
    history = [Turn(refused.question, refused.text, refused.citations, refused.refused)]
    follow = seed_service.ask("why?", history)
    assert follow.refusal == Refusal(RefusalReason.NOTHING_TO_FOLLOW)


def test_a_follow_up_of_a_refused_question_is_answered_when_the_texts_answer_it(seed_service):
    # The texts give no numbers from the 4.4.2 calculation, but they do say what it is about.
    refused = seed_service.ask("what did the calculation in 4.4.2 find, how many times slower?")
    assert refused.refused
    history = [Turn(refused.question, refused.text, refused.citations, refused.refused)]
    follow = seed_service.ask("ok then what was that calculation even about", history)
    assert not follow.refused
    assert "bottlenecked on serial computation" in follow.text


def test_a_question_that_stands_alone_is_new_whatever_came_before(seed_service):
    first = seed_service.ask("What did the commenter think about ChatGPT's alignment?")
    history = [Turn(first.question, first.text, first.citations)]
    follow = seed_service.ask("What are collapsable boxes?", history)
    assert follow.standalone_question == "What are collapsable boxes?"
    assert all(c.line_start in (25, 26) for c in follow.citations)


def test_greetings_fillers_and_markers_do_not_reach_retrieval(seed_service):
    answer = seed_service.ask("hey bot, quick one: what are collapsable boxes [99] lol")
    assert answer.standalone_question == "what are collapsable boxes"
