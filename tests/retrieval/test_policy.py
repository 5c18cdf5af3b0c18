"""The refusal policy's features (answer/policy.py) and how the model keeps them (fit.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from retrieval.answer.policy import unknown_name
from retrieval.errors import SeedbotError
from retrieval.evaluation.evaluate import Case, Outcome
from retrieval.evaluation.fit import fit_and_save, select_features
from retrieval.search.keywords import KeywordIndex
from retrieval.types import Answer

DOCS = KeywordIndex(
    [
        "Call logging.getLogger(__name__) and set a level with setLevel().",
        "The sorted() function takes a key function; see functools.cmp_to_key.",
    ]
)


@pytest.mark.parametrize(
    "question",
    [
        "what does maxsize do in functools.lru_cache",
        "how do I send a datagram with sendto()",
        "is str.isdigit the same as isnumeric",
        "what is max_bytes for the rotating handler",
    ],
)
def test_a_name_in_code_the_texts_never_write_is_unknown(question):
    assert unknown_name(question, DOCS) == 1.0
    assert unknown_name(question.lower(), DOCS) == 1.0  # the same however it is typed


@pytest.mark.parametrize(
    "question",
    [
        "what does logging.getLogger return",
        "why pass __name__ to getLogger?",
        "how do I use functools.cmp_to_key with sorted()",
        "what is SFT for, e.g. in the RL pipeline",
        "whats a mesa-optimizer",
    ],
)
def test_names_the_texts_write_and_plain_words_are_not_unknown(question):
    assert unknown_name(question, DOCS) == 0.0


def test_a_feature_stays_when_it_helps_two_corpora_though_silent_on_a_third():
    rng = np.random.default_rng(0)
    corpora = np.repeat(["docs", "forum", "guide"], 120)
    y = rng.integers(0, 2, len(corpora)).astype(float)
    noise = rng.normal(size=len(y))
    weak = y + rng.normal(scale=2.0, size=len(y))  # a little signal everywhere
    named = np.where((corpora != "forum") & (y == 0), rng.random(len(y)) < 0.5, 0.0)
    lone = np.where((corpora == "docs"), y + rng.normal(scale=0.3, size=len(y)), 0.0)
    X = np.column_stack([weak, named, noise, lone])
    kept, _ = select_features(X, y, corpora, ["weak", "named", "noise", "lone"])
    assert "named" in kept and "weak" in kept
    assert "noise" not in kept and "lone" not in kept


def test_the_folds_of_a_fit_do_not_change_with_the_hash_seed():
    # The corpora's names are strings: a set of them is ordered by the process's hash seed.
    code = (
        "import numpy as np; from retrieval.evaluation.fit import _folds;"
        "c = np.repeat(['seeds', 'howtos', 'gitdocs'], 10); y = np.tile([0.0, 1.0], 15);"
        "print(_folds(y, c).tolist())"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1


def _outcomes(rng, count: int, corpus_features) -> list[Outcome]:
    """Questions half of them answerable, whose features come from `corpus_features(label)`."""
    outcomes = []
    for number in range(count):
        answerable = number % 2 == 0
        case = Case(f"q{number}", "a question", answerable, [], [])
        features = corpus_features(rng, answerable)
        answer = Answer("a question", "", verification={"features": features})
        outcomes.append(Outcome(case, None, answer, 0, False))
    return outcomes


def _signal(rng, answerable: bool) -> dict[str, float]:
    return {"signal": float(answerable) + rng.normal(scale=0.5), "noise": rng.normal()}


def test_named_features_are_fitted_as_named_and_scored_on_each_set_held_out(tmp_path):
    rng = np.random.default_rng(1)
    sets = [(tmp_path / f"set{n}.jsonl", _outcomes(rng, 60, _signal)) for n in range(3)]
    report = fit_and_save(sets, None, ["noise", "signal"])
    assert report["features"] == ["noise", "signal"]  # no elimination: both kept
    assert report["elimination"] == []
    by_set = report["held_out_by_set"]["seeds"]  # sets without a corpus folder are seeds
    assert by_set["auc"] > 0.8  # each set scored by a model fitted on the other two


def test_a_feature_the_policy_does_not_measure_is_named_in_the_error(tmp_path):
    rng = np.random.default_rng(2)
    sets = [(tmp_path / "set.jsonl", _outcomes(rng, 20, _signal))]
    with pytest.raises(SeedbotError, match="signl"):
        fit_and_save(sets, None, ["signl"])
