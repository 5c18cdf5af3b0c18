"""`seedbot eval --fit`: the refusal model fitted on question sets, with cross-validation.

Every answer records the policy's features (its `verification["features"]`); the model is an
L2-regularised logistic regression on them, predicting whether the question is answerable.
Its threshold keeps wrong refusals at or under MAX_WRONG on the training questions.
Features are chosen by backward elimination on held-out folds: a feature stays only if the
cross-validated AUC is better with it than without it on more than one corpus of the sets
(on both, when there are two) and on their mean. `--fit-features` names them instead, and
the fit reports each question set held out in turn beside the shuffled folds.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.answer.refusal_model import RefusalModel
from retrieval.errors import SeedbotError
from retrieval.evaluation.evaluate import Outcome, corpus_of

MAX_WRONG = 0.06  # on training folds, so that held-out wrong refusals stay near 0.08
L2 = 1.0
FOLDS = 5
SEED = 7
MIN_CORPORA_HELPED = 2  # a feature earns its place on more than one corpus


def fit_and_save(
    sets: Sequence[tuple[Path, list[Outcome]]],
    out: Path | None,
    features: Sequence[str] | None = None,
) -> dict:
    """Select features (from `features`, or every one measured), fit on every question, report
    cross-validated figures; save to `out`."""
    measured = sorted(sets[0][1][0].answer.verification["features"])
    unknown = sorted(set(features or ()) - set(measured))
    if unknown:
        raise SeedbotError(f"Not a feature the policy measures: {', '.join(unknown)}.")
    names = sorted(features) if features else measured
    X, y, corpora, set_numbers = _table(sets, names)
    # Features named by hand are fitted as they are: the choice was made elsewhere (by
    # comparing held-out sets), and elimination would undo it.
    chosen, trail = (list(names), []) if features else select_features(X, y, corpora, names)
    columns = [names.index(f) for f in chosen]
    held_out = cross_validate(X[:, columns], y, corpora)
    by_set = held_out_by_set(X[:, columns], y, corpora, set_numbers)
    model = fit(X[:, columns], y, chosen)
    report = {
        "questions": {c: int((corpora == c).sum()) for c in sorted(set(corpora))},
        "sets": [str(path) for path, _ in sets],
        "features": list(chosen),
        "elimination": trail,
        "cross_validated": held_out,
        "held_out_by_set": by_set,
    }
    model = RefusalModel(**{**model.__dict__, "fitted_on": report})
    if out is not None:
        model.save(out)
    return report


def _table(sets, names: list[str]) -> tuple[np.ndarray, ...]:
    """Features, labels, corpus and set number of every question the policy judged."""
    rows, labels, corpora, numbers = [], [], [], []
    for number, (path, outcomes) in enumerate(sets):
        corpus = corpus_of(path)
        for outcome in outcomes:
            features = outcome.answer.verification.get("features")
            if not features:  # refused before the policy was asked (junk, follow-ups)
                continue
            rows.append([features[n] for n in names])
            labels.append(float(outcome.case.answerable))
            corpora.append(corpus.parent.name if corpus else "seeds")
            numbers.append(number)
    return (
        np.asarray(rows, dtype=float),
        np.asarray(labels),
        np.asarray(corpora),
        np.asarray(numbers),
    )


def fit(X: np.ndarray, y: np.ndarray, names: Sequence[str]) -> RefusalModel:
    """The logistic model on standardised features, with the threshold under MAX_WRONG."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    weights, bias = _newton((X - mean) / scale, y)
    model = RefusalModel(tuple(names), tuple(mean), tuple(scale), tuple(weights), float(bias), 0.5)
    threshold = _threshold(_probabilities(model, X, names), y)
    return RefusalModel(**{**model.__dict__, "threshold": threshold})


def _newton(Z: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Iteratively reweighted least squares for L2-regularised logistic regression."""
    A = np.hstack([Z, np.ones((len(Z), 1))])
    theta = np.zeros(A.shape[1])
    penalty = np.eye(A.shape[1]) * L2
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(A @ theta, -40, 40)))
        gradient = A.T @ (p - y) + penalty @ theta
        hessian = (A * (p * (1 - p))[:, None]).T @ A + penalty
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:-1], theta[-1]


def _probabilities(model: RefusalModel, X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    return np.array([model.probability(dict(zip(names, row))) for row in X])


def _threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The highest threshold that refuses at most MAX_WRONG of the answerable questions."""
    answerable = np.sort(p[y == 1])
    allowed = int(np.floor(MAX_WRONG * len(answerable)))
    return float(answerable[allowed]) if len(answerable) else 0.5


def cross_validate(X: np.ndarray, y: np.ndarray, corpora: np.ndarray) -> dict:
    """Held-out figures per corpus: each question scored by a model that never saw it."""
    p, refused = _held_out(X, y, corpora)
    return _per_corpus(p, refused, y, corpora)


def _per_corpus(p: np.ndarray, refused: np.ndarray, y: np.ndarray, corpora: np.ndarray) -> dict:
    out = {}
    for corpus in sorted(set(corpora)):
        mask = corpora == corpus
        out[corpus] = {
            "auc": round(_auc(p[mask], y[mask]), 4),
            "correct_refusals": round(float(refused[mask & (y == 0)].mean()), 4),
            "wrong_refusals": round(float(refused[mask & (y == 1)].mean()), 4),
        }
    return out


def held_out_by_set(X: np.ndarray, y: np.ndarray, corpora: np.ndarray, sets: np.ndarray) -> dict:
    """Per-corpus figures with each question set held out in turn: every set was written
    apart from the others (by another writer, on another day), so this asks how the model
    does on questions written after it, which shuffled folds of pooled sets do not."""
    p, refused = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
    names = [f"f{i}" for i in range(X.shape[1])]
    for number in sorted(set(sets)):
        test = sets == number
        model = fit(X[~test], y[~test], names)
        p[test] = _probabilities(model, X[test], names)
        refused[test] = p[test] < model.threshold
    return _per_corpus(p, refused, y, corpora)


def _held_out(X, y, corpora) -> tuple[np.ndarray, np.ndarray]:
    folds = _folds(y, corpora)
    p, refused = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
    names = [f"f{i}" for i in range(X.shape[1])]
    for fold in range(FOLDS):
        test, train = folds == fold, folds != fold
        model = fit(X[train], y[train], names)
        p[test] = _probabilities(model, X[test], names)
        refused[test] = p[test] < model.threshold
    return p, refused


def _folds(y: np.ndarray, corpora: np.ndarray) -> np.ndarray:
    """Fold numbers stratified by corpus and answerability, shuffled with a fixed seed."""
    rng = np.random.default_rng(SEED)
    folds = np.zeros(len(y), dtype=int)
    for corpus in sorted(set(corpora)):  # a set's order changes with the hash seed
        for label in (0.0, 1.0):
            members = np.flatnonzero((corpora == corpus) & (y == label))
            rng.shuffle(members)
            folds[members] = np.arange(len(members)) % FOLDS
    return folds


def _auc(p: np.ndarray, y: np.ndarray) -> float:
    """Probability that an answerable question scores above an unanswerable one."""
    pos, neg = p[y == 1], p[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def select_features(X, y, corpora, names: list[str]) -> tuple[list[str], list[dict]]:
    """Backward elimination: drop the feature that helps least, until each one left helps the
    held-out folds of more than one corpus (both, when there are two) and the corpora's mean.

    A feature may be silent on a corpus it has nothing to see in (no names in code in forum
    posts); it must still help at least two corpora, never one alone.
    """
    kept, trail = list(names), []
    needed = min(MIN_CORPORA_HELPED, len(set(corpora)))
    while len(kept) > 1:
        base = _aucs(X, y, corpora, names, kept)
        trials = {f: _aucs(X, y, corpora, names, [k for k in kept if k != f]) for f in kept}
        useless = {
            f: sum(without[c] - base[c] for c in base)
            for f, without in trials.items()
            if len(_helped(X[:, names.index(f)], corpora, base, without)) < needed
            or sum(base[c] - without[c] for c in base) <= 0
        }
        if not useless:
            break
        dropped = max(useless, key=useless.get)
        trail.append({"dropped": dropped, "auc_with": base, "auc_without": trials[dropped]})
        kept.remove(dropped)
    return kept, trail


def _helped(column: np.ndarray, corpora: np.ndarray, base: dict, without: dict) -> list[str]:
    """The corpora whose held-out AUC the feature raises, among those where it varies at all
    (on a corpus where it is constant it tells no question from another: a change there comes
    from the other weights moving, not from the feature)."""
    return [c for c in base if base[c] > without[c] and np.ptp(column[corpora == c]) > 0]


def _aucs(X, y, corpora, names, chosen) -> dict[str, float]:
    columns = [names.index(f) for f in chosen]
    p, _ = _held_out(X[:, columns], y, corpora)
    return {c: round(_auc(p[corpora == c], y[corpora == c]), 4) for c in sorted(set(corpora))}
