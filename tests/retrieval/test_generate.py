"""The LLM answer chain, driven by GenericFakeChatModel: each kind of reply ends as specified."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from bench.llm_citations import leaks
from bot.terminal.render import answer_json
from retrieval.evaluation.evaluate import load_cases
from retrieval.llm.answerer import LLMAnswerer
from retrieval.llm.arbitration import STRONG_EVIDENCE
from retrieval.settings import Settings
from retrieval.types import Refusal, RefusalReason, Turn
from tests.conftest import SEEDS, make_service
from tests.fakes.inventing_llm import InventingChatModel

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "what would SGD do about the extra reasoning schemers need"
# Evidence the refusal policy lets through but below the level that outweighs a model's
# "no answer" (retrieval.llm.arbitration.STRONG_EVIDENCE); QUESTION's evidence is above it.
MODERATE = "what's the core question the scheming report is asking"


@pytest.fixture(scope="module")
def llm_service(tmp_path_factory, embedder):
    """One index of the seed corpus; each test plugs in its own fake model."""
    base = tmp_path_factory.mktemp("llm")
    shutil.copytree(SEEDS, base / "corpus")
    built = make_service(Settings(corpus_dir=base / "corpus", store_dir=base / "store"), embedder)
    built.refresh()
    yield built
    built.use_generator(None)


def with_replies(service, *replies, timeout_s: float = 20.0) -> GenericFakeChatModel:
    model = GenericFakeChatModel(messages=iter(replies))
    service.use_generator(LLMAnswerer(model, service.embedder, timeout_s))
    return model


def numbered(service, question: str) -> dict:
    found = service.search(question, 6)
    return dict(enumerate(found, 1))


def extractive(service, question: str, history=()):
    service.use_generator(None)
    return service.ask(question, history)


def find(passages: dict, words: str) -> int:
    return next(n for n, p in passages.items() if words in p.text)


def test_a_reply_with_valid_citations_is_shown_verified(llm_service):
    n = find(numbered(llm_service, QUESTION), "speed argument")
    with_replies(llm_service, f"SGD would punish the extra reasoning that schemers perform [{n}].")
    answer = llm_service.ask(QUESTION)
    assert answer.path == "llm" and not answer.refused
    assert answer.text.endswith("[1]") and len(answer.citations) == 1
    assert "SGD will punish the extra reasoning" in answer.citations[0].quote
    data = json.loads(json.dumps(answer_json(answer)))
    assert data["path"] == "llm"
    assert data["verification"]["outcome"] == "verified"
    assert data["verification"]["citations_rejected"] == 0


def test_invented_numbers_are_removed_and_the_rest_kept(llm_service):
    passages = numbered(llm_service, QUESTION)
    n = find(passages, "speed argument")
    with_replies(
        llm_service,
        f"SGD would punish the extra reasoning of schemers [{n}] [9]. "
        f"This is what the author calls a speed argument [{n}]. "
        "Everyone agrees on this [12].",
    )
    answer = llm_service.ask(QUESTION)
    assert answer.path == "llm"
    assert "[9]" not in answer.text and "[12]" not in answer.text
    assert "Everyone agrees" not in answer.text
    assert answer.verification["markers_invented"] == 2
    assert {c.n for c in answer.citations} == {1}


def test_unsupported_claims_fall_back_to_the_extractive_answer(llm_service):
    offline = extractive(llm_service, QUESTION)
    with_replies(
        llm_service,
        "The report puts the chance of scheming at 25 percent [1]. "
        "MIRI was founded in 2000 to study this [2].",
    )
    answer = llm_service.ask(QUESTION)
    assert answer.path == "extractive"
    assert answer.verification["llm_fallback"] == "unsupported"
    assert answer.verification["markers_unsupported"] == 2
    assert answer.text == offline.text and answer.citations == offline.citations


def test_an_unmarked_sentence_is_cited_to_the_passage_that_supports_it(llm_service):
    # Models that cite leave some honest sentences unmarked: such a sentence is kept when a
    # passage supports it as strongly as a marked claim must be supported, and quoted from it.
    passages = numbered(llm_service, QUESTION)
    n = find(passages, "speed argument")
    with_replies(
        llm_service,
        f"The reply calls it a speed argument against schemers [{n}]. "
        "SGD would punish the extra reasoning that schemers need to do.",
    )
    answer = llm_service.ask(QUESTION)
    assert answer.path == "llm"
    assert answer.verification["sentences_attributed"] == 1
    assert answer.verification["sentences_kept"] == 2
    assert any("SGD will punish the extra reasoning" in c.quote for c in answer.citations)
    assert answer.verification["decision"] == {"by": "model", "why": "verified"}


def test_a_reply_that_cites_nothing_falls_back_however_close_to_the_passages(llm_service):
    # Sentence similarity measures topic, not truth: a model that ignores the format wrote
    # on-topic falsehoods that passed it (bench/results.md, LLM section). Such a reply is not
    # attributed sentence by sentence, even where a sentence is true.
    offline = extractive(llm_service, QUESTION)
    with_replies(
        llm_service,
        "SGD would punish the extra reasoning that schemers need to do. "
        "The report goes deep on how path-dependent training is.",
    )
    answer = llm_service.ask(QUESTION)
    assert answer.path == "extractive" and answer.text == offline.text
    assert answer.verification["llm_fallback"] == "no markers"
    assert answer.verification["sentences_attributed"] == 0
    assert answer.verification["decision"] == {"by": "evidence", "why": "llm_failed"}


def test_a_reply_without_citations_that_no_passage_supports_falls_back(llm_service):
    offline = extractive(llm_service, QUESTION)
    with_replies(
        llm_service,
        "The report puts the chance of scheming at 25 percent. MIRI was founded in 2000.",
    )
    answer = llm_service.ask(QUESTION)
    assert answer.path == "extractive" and answer.text == offline.text
    assert answer.verification["sentences_uncited"] == 2
    assert answer.verification["sentences_attributed"] == 0
    assert answer.verification["decision"] == {"by": "evidence", "why": "llm_failed"}


def test_the_agreed_refusal_is_a_refusal(llm_service):
    with_replies(llm_service, "**NO ANSWER IN THE PASSAGES.**")
    answer = llm_service.ask(MODERATE)
    assert answer.verification["relevance"] < STRONG_EVIDENCE
    assert answer.refused and answer.path == "llm" and answer.citations == ()
    assert answer.refusal == Refusal(RefusalReason.MODEL_DECLINED)
    assert answer.verification["outcome"] == "llm_refused"
    assert answer.verification["decision"] == {"by": "model", "why": "model_declined"}


def test_a_decline_against_strong_evidence_shows_the_extractive_answer(llm_service, monkeypatch):
    # The calibrated level is above every relevance today (see arbitration.py); the mechanism
    # is checked at a level QUESTION's evidence reaches.
    monkeypatch.setattr("retrieval.llm.arbitration.STRONG_EVIDENCE", 0.5)
    offline = extractive(llm_service, QUESTION)
    with_replies(llm_service, "NO ANSWER IN THE PASSAGES")
    answer = llm_service.ask(QUESTION)
    assert answer.verification["relevance"] >= 0.5
    assert not answer.refused and answer.path == "extractive" and answer.text == offline.text
    assert answer.verification["llm_outcome"] == "llm_refused"
    assert answer.verification["decision"] == {
        "by": "evidence",
        "why": "model_declined_evidence_strong",
    }


def test_the_policy_refuses_without_the_model_and_says_so(llm_service):
    with_replies(llm_service, "Carbonara is made with eggs and pecorino [1].")
    answer = llm_service.ask("what is the recipe for carbonara")
    assert answer.refused and answer.refusal == Refusal(RefusalReason.NO_EVIDENCE)
    assert answer.verification["decision"] == {"by": "policy", "why": "refused_before_asking"}


def test_an_off_topic_question_is_refused_without_asking_the_model(llm_service):
    def untouchable():
        raise AssertionError("the model was called for an off-topic question")
        yield

    llm_service.use_generator(
        LLMAnswerer(GenericFakeChatModel(messages=untouchable()), llm_service.embedder)
    )
    answer = llm_service.ask("what is the recipe for carbonara")
    assert (
        answer.refused
        and answer.refusal == Refusal(RefusalReason.NO_EVIDENCE)
        and answer.citations == ()
    )


@pytest.mark.parametrize("reply", ["\x00\x01{{{ ]] ::", "", "[1] [2] [3]", '{"answer": 42}'])
def test_garbage_falls_back(llm_service, reply):
    offline = extractive(llm_service, QUESTION)
    with_replies(llm_service, reply)
    answer = llm_service.ask(QUESTION)
    assert answer.path == "extractive" and answer.text == offline.text
    assert answer.verification["outcome"] == "fallback"


def test_a_model_that_raises_falls_back_and_logs_only_the_type(llm_service, caplog):
    def failing():
        raise RuntimeError("secret-looking detail sk-123456789")
        yield  # a generator, as GenericFakeChatModel expects an iterator

    llm_service.use_generator(
        LLMAnswerer(GenericFakeChatModel(messages=failing()), llm_service.embedder)
    )
    answer = llm_service.ask(QUESTION)
    assert answer.path == "extractive" and answer.citations
    assert answer.verification["llm_fallback"] == "RuntimeError"
    assert "RuntimeError" in caplog.text and "sk-123456789" not in caplog.text


def test_a_model_that_hangs_is_abandoned_at_the_deadline(llm_service):
    def hanging():
        time.sleep(3)
        yield "Too late [1]."

    llm_service.use_generator(
        LLMAnswerer(GenericFakeChatModel(messages=hanging()), llm_service.embedder, timeout_s=0.5)
    )
    answer = llm_service.ask(QUESTION)  # pytest-timeout fails the test if it hangs instead
    assert answer.path == "extractive" and answer.verification["llm_fallback"] == "timeout"


def test_a_follow_up_is_rewritten_by_the_model_before_retrieval(llm_service):
    history = [Turn("what do collapsible boxes offer", "They hold skippable asides [1].")]
    passages = numbered(llm_service, "How do collapsible boxes compare to footnotes?")
    n = find(passages, "Compared to footnotes")
    with_replies(
        llm_service,
        "How do collapsible boxes compare to footnotes?",
        f"Collapsable boxes are more prominent than footnotes [{n}].",
    )
    answer = llm_service.ask("and compared to footnotes?", history)
    assert answer.standalone_question == "How do collapsible boxes compare to footnotes?"
    assert answer.path == "llm" and "footnotes" in answer.citations[0].quote


def test_a_bad_rewrite_leaves_the_offline_one(llm_service):
    history = [Turn("what do collapsible boxes offer", "They hold skippable asides [1].")]
    with_replies(llm_service, "x" * 1000, "NO ANSWER IN THE PASSAGES")
    answer = llm_service.ask("and compared to footnotes?", history)
    assert (
        answer.standalone_question == "what do collapsible boxes offer and compared to footnotes?"
    )


def test_no_invented_citation_reaches_the_output_over_eval_questions(llm_service):
    """A third of the eval set, with a double that invents in half its replies."""
    double = InventingChatModel(invent_rate=0.5, seed=7)
    llm_service.use_generator(LLMAnswerer(double, llm_service.embedder))
    cases = load_cases(ROOT / "eval" / "questions.jsonl")[::3]
    found = {
        "dangling_markers": 0,
        "invented_claims": 0,
        "misattributed": 0,
        "quotes_not_verbatim": 0,
    }
    for case in cases:
        answer = llm_service.ask(case.question)
        for kind, count in leaks(
            answer, double.inventions[-1], llm_service.settings.corpus_dir
        ).items():
            found[kind] += count
    assert sum(bool(r["invented_claims"]) for r in double.inventions) >= len(cases) // 4
    assert found == dict.fromkeys(found, 0)


def test_debug_json_shows_the_raw_reply_and_each_verdict_only_when_asked(llm_service):
    n = find(numbered(llm_service, QUESTION), "speed argument")
    reply = f"SGD would punish the extra reasoning that schemers perform [{n}]. Cats purr [2]."
    with_replies(llm_service, reply)
    answer = llm_service.ask(QUESTION)
    plain, debug = answer_json(answer), answer_json(answer, debug=True)
    assert "debug" not in plain and "debug" not in plain["verification"]
    assert debug["debug"]["reply"] == reply
    assert [v["verdict"] for v in debug["debug"]["verdicts"]] == ["kept", "unsupported"]


def test_the_strong_evidence_level_is_the_calibrated_one(llm_service):
    from retrieval.evaluation import arbitration as calibrate
    from retrieval.evaluation.evaluate import evaluate
    from retrieval.llm.arbitration import MIN_PRECISION

    llm_service.use_generator(None)
    pool = ("questions", "heldout", "heldout2", "heldout3", "heldout4")
    outcomes = [
        o
        for name in pool
        for o in evaluate(llm_service, load_cases(ROOT / "eval" / f"{name}.jsonl")).outcomes
    ]
    chosen = calibrate.calibration(outcomes, MIN_PRECISION)["best"]
    assert chosen["level"] == STRONG_EVIDENCE
    assert chosen["precision"] >= MIN_PRECISION or chosen["level"] > 1  # or: never overrides


def test_progress_stages_follow_the_work_search_write_check(llm_service):
    history = [Turn("what do collapsible boxes offer", "They hold skippable asides [1].")]
    n = find(numbered(llm_service, "How do collapsible boxes compare to footnotes?"), "Compared")
    with_replies(
        llm_service,
        "How do collapsible boxes compare to footnotes?",  # the rewrite: still searching
        f"Collapsable boxes are more prominent than footnotes [{n}].",
    )
    stages = []
    answer = llm_service.ask("and compared to footnotes?", history, on_stage=stages.append)
    assert answer.path == "llm"
    assert stages == ["search", "write", "check"]


def test_progress_without_a_model_reply_never_says_checking(llm_service):
    stages = []
    extractive(llm_service, QUESTION)
    llm_service.ask(QUESTION, on_stage=stages.append)
    assert stages == ["search"]

    def hanging():
        time.sleep(3)
        yield "Too late [1]."

    llm_service.use_generator(
        LLMAnswerer(GenericFakeChatModel(messages=hanging()), llm_service.embedder, timeout_s=0.5)
    )
    stages.clear()
    answer = llm_service.ask(QUESTION, on_stage=stages.append)
    assert answer.verification["llm_fallback"] == "timeout"
    assert stages == ["search", "write"]
