"""`seedbot eval --fit-selection`: how the offline answer picks its sentences, fitted by
cross-validation on question sets of several corpora.

Each question is run up to the refusal verdict once; the answer is then re-chosen for every
setting of the grid (how close to the best a further sentence must score, how many sentences
after each chosen one the answer brings along, and how close to the best a sentence giving a
reason must score to be added to a why-answer whose sentences give none). A question scores
the mean of "the answer holds the gold fact" (its keywords) and "the answer cites a gold
line". Folds are stratified by corpus, and a setting is judged by its mean over the corpora,
so a setting that helps one corpus at the other's cost does not win. Longer answers hold more
facts by chance, so every word costs WORD_COST: a reader's time is the price of completeness.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.answer import extractive
from retrieval.chain import Ask
from retrieval.evaluation.evaluate import Case

NEAR_BEST = (0.04, 0.08, 0.12)
FOLLOW = (0, 1, 2)
REASON_MARGIN = (0.0, 0.1, 0.2, 0.3, 0.4, 0.6)
FOLDS = 5
SEED = 7
WORD_COST = 0.002  # 50 more words must buy a tenth more answers with their fact and gold line
_SETTINGS = ("near_best", "follow", "reason_margin")


@dataclass(frozen=True)
class Trial:
    """One answerable question's state after the verdict, and its corpus."""

    corpus: str
    case: Case
    ask: Ask


def prepared(stages, corpus: str, cases: Sequence[Case]) -> list[Trial]:
    """The answerable questions with keywords, run up to the verdict (not refused)."""
    trials = []
    for case in cases:
        if not case.answerable or not case.keywords:
            continue
        ask = stages.analyse(stages.rewrite(Ask(case.question)))
        ask = stages.verdict(stages.retrieve(ask, {}))
        trials.append(Trial(corpus, case, ask))
    return trials


def fit_selection(trials: list[Trial], most: int) -> dict:
    """Cross-validated figures of the fitted setting against today's, and the fitted setting."""
    grid = list(itertools.product(NEAR_BEST, FOLLOW, REASON_MARGIN))
    scores = {setting: [_score(t, most, *setting) for t in trials] for setting in grid}
    folds = _folds(trials)
    corpora = sorted({t.corpus for t in trials})
    held_out = {c: [] for c in corpora}
    for fold in range(FOLDS):
        train = [i for i, f in enumerate(folds) if f != fold]
        best = _best(scores, trials, train, corpora)
        for i, f in enumerate(folds):
            if f == fold:
                held_out[trials[i].corpus].append(scores[best][i])
    today = (extractive.NEAR_BEST, extractive.FOLLOW, extractive.REASON_MARGIN)
    chosen = _best(scores, trials, range(len(trials)), corpora)
    return {
        "questions": {c: sum(t.corpus == c for t in trials) for c in corpora},
        "chosen": dict(zip(_SETTINGS, chosen, strict=True)),
        "today": dict(zip(_SETTINGS, today, strict=True)),
        "cross_validated": {c: _summary(held_out[c]) for c in corpora},
        "today_figures": {c: _summary(_of(scores, today, trials, c)) for c in corpora},
        "chosen_figures_all": {c: _summary(_of(scores, chosen, trials, c)) for c in corpora},
    }


def figures(
    trials: list[Trial],
    most: int,
    near_best: float,
    follow: int,
    reason_margin: float = extractive.REASON_MARGIN,
) -> dict:
    """Per corpus: how often the answers chosen with this setting hold the fact and gold line."""
    rows = [(t.corpus, _score(t, most, near_best, follow, reason_margin)) for t in trials]
    corpora = sorted({c for c, _ in rows})
    return {c: _summary([r for name, r in rows if name == c]) for c in corpora}


def _score(
    trial: Trial, most: int, near_best: float, follow: int, reason_margin: float
) -> tuple[float, float, int]:
    """(fact in answer, gold cited, words) of the answer chosen with this setting."""
    ask = trial.ask
    if ask.verdict.refused:
        return (0.0, 0.0, 0)
    chosen = extractive.choose(
        list(ask.evidence), ask.verdict.gloss, most, ask.facts, near_best, follow, reason_margin
    )
    text, citations = extractive.compose(chosen)
    cited = trial.case.cited_in(citations)
    return (float(trial.case.fact_in(text)), float(cited), len(text.split()))


def _best(scores: dict, trials: list[Trial], rows, corpora: list[str]):
    """The setting with the best mean over corpora on `rows`, less its words' cost."""
    rows = list(rows)

    def merit(setting):
        per_corpus = []
        words = 0.0
        for corpus in corpora:
            mine = [scores[setting][i] for i in rows if trials[i].corpus == corpus]
            per_corpus.append(sum((f + c) / 2 for f, c, _ in mine) / max(len(mine), 1))
            words += sum(w for _, _, w in mine) / max(len(mine), 1)
        mean_words = words / len(corpora)
        return (round(sum(per_corpus) / len(per_corpus) - WORD_COST * mean_words, 9), -words)

    return max(scores, key=merit)


def _folds(trials: list[Trial]) -> list[int]:
    """A fold for each trial, dealt in turn within each corpus after a seeded shuffle."""
    folds = [0] * len(trials)
    rng = random.Random(SEED)
    for corpus in sorted({t.corpus for t in trials}):
        members = [i for i, t in enumerate(trials) if t.corpus == corpus]
        rng.shuffle(members)
        for position, i in enumerate(members):
            folds[i] = position % FOLDS
    return folds


def _of(scores: dict, setting, trials: list[Trial], corpus: str) -> list:
    return [s for s, t in zip(scores[setting], trials, strict=True) if t.corpus == corpus]


def _summary(rows: list[tuple[float, float, int]]) -> dict:
    n = max(len(rows), 1)
    return {
        "gold_fact_in_answer": round(sum(f for f, _, _ in rows) / n, 3),
        "gold_cited": round(sum(c for _, c, _ in rows) / n, 3),
        "words": round(sum(w for _, _, w in rows) / n, 1),
    }
