"""The check of generated text: markers, per-sentence support, verbatim quotes, renumbering."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.evaluation.support_calibration import MIN_KEEP, score_pairs
from retrieval.evaluation.sweep import best, sweep
from retrieval.ingest.corpus import read_lines
from retrieval.llm.citecheck import SUPPORT_THRESHOLD, CiteChecker, parse_claims

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def checker(embedder) -> CiteChecker:
    return CiteChecker(embedder)


def passages_for(service, question: str) -> dict:
    found = service.search(question, service.settings.top_k)
    return dict(enumerate(found, 1))


def test_markers_after_the_full_stop_belong_to_the_sentence_before_them():
    claims = parse_claims("SGD punishes extra reasoning. [1] It prefers non-schemers [2, 3].\n[4]")
    assert [(c.text, c.cited) for c in claims] == [
        ("SGD punishes extra reasoning.", [1]),
        ("It prefers non-schemers.", [2, 3, 4]),
    ]


def test_bullets_are_stripped_and_empty_sentences_ignored():
    claims = parse_claims("- First point [1]\n* Second point [2]\n\n1. Third point [3]\n[ ]")
    assert [c.text for c in claims] == ["First point", "Second point", "Third point"]
    assert [c.cited for c in claims] == [[1], [2], [3]]


def test_a_paraphrase_is_kept_with_a_verbatim_quote_of_its_closest_sentence(seed_service, checker):
    passages = passages_for(seed_service, "speed argument against schemers")
    n = next(n for n, p in passages.items() if "speed argument" in p.text)
    checked = checker.check(
        f"The author reads the critique as a speed argument: SGD punishes the extra "
        f"reasoning that schemers must do [{n}].",
        passages,
    )
    assert checked.text.endswith("[1]") and checked.stats["sentences_kept"] == 1
    [citation] = checked.citations
    assert "SGD will punish the extra reasoning" in citation.quote
    lines = read_lines(
        seed_service.settings.corpus_dir, citation.source, citation.line_start, citation.line_end
    )
    assert citation.quote in lines


def test_markers_naming_no_passage_are_removed_and_their_sentences_dropped(seed_service, checker):
    passages = passages_for(seed_service, "speed argument against schemers")
    n = next(n for n, p in passages.items() if "speed argument" in p.text)
    reply = (
        f"SGD will punish the extra reasoning that schemers need to perform [{n}] [42]. "
        "Schemers are penalised for their extra reasoning [17]."
    )
    checked = checker.check(reply, passages)
    assert checked.stats["markers_invented"] == 2
    assert checked.stats["sentences_uncited"] == 1 and checked.stats["sentences_kept"] == 1
    assert "[42]" not in checked.text and "[17]" not in checked.text
    assert "Schemers are penalised" not in checked.text


def test_a_claim_no_passage_states_is_dropped(seed_service, checker):
    passages = passages_for(seed_service, "what did RLHF leave behind")
    reply = "Constitutional AI was introduced by Anthropic in 2022 to replace RLHF [1]."
    checked = checker.check(reply, passages)
    assert checked.stats["markers_unsupported"] == 1
    assert checked.text == "" and checked.citations == []


def test_a_true_sentence_cited_to_an_unrelated_passage_is_dropped(seed_service, checker):
    passages = passages_for(seed_service, "collapsible boxes footnotes")
    wrong = next(n for n, p in passages.items() if "ollapsable" not in p.text)
    reply = f"Collapsable boxes are more prominent than footnotes [{wrong}]."
    assert checker.check(reply, passages).stats["sentences_kept"] == 0


def test_sources_are_merged_and_renumbered_in_order_of_first_use(seed_service, checker):
    passages = passages_for(seed_service, "collapsible boxes footnotes skippable aside")
    boxes = next(n for n, p in passages.items() if "skippable aside" in p.text)
    other = next(n for n, p in passages.items() if n != boxes)
    claim = passages[other].sentence_text(0)
    reply = (
        f"Collapsable boxes are a nice way of providing a skippable aside [{boxes}]. "
        f"{claim} [{other}] "
        f"Compared to footnotes, collapsable boxes are more prominent [{boxes}]."
    )
    checked = checker.check(reply, passages)
    assert checked.stats["sentences_kept"] == 3
    assert [c.n for c in checked.citations] == [1, 2]
    assert checked.citations[0].source == passages[boxes].source
    assert checked.text.count("[1]") == 2 and checked.text.count("[2]") == 1
    assert checked.text.index("[1]") < checked.text.index("[2]")


def test_the_support_threshold_is_the_one_calibrated_on_the_eval_set(seed_service):
    right, wrong = score_pairs(seed_service, ROOT / "eval" / "questions.jsonl")
    chosen = best(sweep(right, wrong), MIN_KEEP)
    assert chosen.threshold == SUPPORT_THRESHOLD
    assert chosen.kept >= 0.9 and chosen.dropped >= 0.85


def test_the_marker_forms_models_write_are_all_read():
    claims = parse_claims(
        "First [passage 1]. Second (2). Third¹. Fourth [1, 2]. Fifth [Passages 1 and 3]. "
        "In 2022 (2022) it changed (source 3)."
    )
    assert [c.cited for c in claims] == [[1], [2], [1], [1, 2], [1, 3], [3]]
    assert claims[-1].text == "In 2022 (2022) it changed."  # a year is not a marker


def test_an_unmarked_claim_no_passage_supports_is_dropped(seed_service, checker):
    passages = passages_for(seed_service, "what did RLHF leave behind")
    verdicts: list[dict] = []
    kept, stats = checker.verify(
        f"{passages[1].sentence_text(0)} [1] "
        "Constitutional AI was introduced by Anthropic in 2022 to replace RLHF.",
        passages,
        verdicts,
    )
    assert len(kept) == 1 and stats["sentences_uncited"] == 1
    assert verdicts[1]["verdict"] == "uncited"
    assert max(verdicts[1]["scores"].values()) < SUPPORT_THRESHOLD


def test_a_reply_that_cites_nothing_has_nothing_attributed(seed_service, checker):
    passages = passages_for(seed_service, "speed argument against schemers")
    n = next(n for n, p in passages.items() if "speed argument" in p.text)
    verdicts: list[dict] = []
    kept, stats = checker.verify(passages[n].sentence_text(0), passages, verdicts)
    assert kept == [] and not stats["reply_marked"]
    assert [v["verdict"] for v in verdicts] == ["uncited"]
    kept, stats = checker.verify(f"{passages[n].sentence_text(0)} [{n}]", passages)
    assert len(kept) == 1 and stats["reply_marked"]


def test_a_sentence_with_only_an_invented_marker_is_not_attributed(seed_service, checker):
    passages = passages_for(seed_service, "speed argument against schemers")
    n = next(n for n, p in passages.items() if "speed argument" in p.text)
    claim = passages[n].sentence_text(0)
    verdicts: list[dict] = []
    kept, _ = checker.verify(f"{claim} [42]", passages, verdicts)
    assert kept == [] and verdicts[0]["verdict"] == "invented"


def test_a_sentence_repeated_by_a_looping_model_counts_once():
    claims = parse_claims(
        "Schemers reason more [1]. Schemers reason more. Schemers  reason more [2]."
    )
    assert [(c.text, c.cited) for c in claims] == [("Schemers reason more.", [1, 2])]
