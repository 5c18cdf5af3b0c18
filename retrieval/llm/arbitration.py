"""Who decides when the model and the evidence disagree, recorded in `verification["decision"]`.

- The refusal policy refuses: the model is never asked (`policy`).
- The model answers and its citations hold: the model decides (`model`).
- The model declines but the evidence is strong: a small model's "no answer" is less reliable
  than a passage that matches the question this well, so the extractive answer is shown
  (`evidence`). Below that level the model's refusal stands.
- The model fails (timeout, error, nothing verifiable): the extractive answer (`evidence`).
"""

from __future__ import annotations

from retrieval.llm.failure import LLMFailure

# Calibrated with `python -m bench.arbitration` on the eval set and held-out sets 1-4 (254
# questions, 199 answered offline), on the relevance of the fitted refusal model (its
# P(answerable)): the lowest level at which at least 95% of the offline answers at or above it
# cite a gold passage. No level reaches 95% (at 0.80, the sweep's top, 36 answers, 0.83 of them
# right), so for now the evidence never overrides a model's "no answer"; recalibrate after
# refitting the refusal model.
STRONG_EVIDENCE = 1.01
MIN_PRECISION = 0.95


def decision(by: str, why: str) -> dict:
    """The `decision` entry of an answer's verification: which side decided, and why."""
    return {"decision": {"by": by, "why": why}}


def overrides_decline(relevance: float, level: float | None = None) -> bool:
    """Whether evidence this relevant outweighs the model's "no answer"."""
    return relevance >= (STRONG_EVIDENCE if level is None else level)


def fallback_record(failure: LLMFailure) -> dict:
    """What an answer that fell back to extraction records about the model's failure."""
    record = {"outcome": "fallback", "llm_fallback": failure.why, **failure.stats}
    record |= decision("evidence", "llm_failed")
    if failure.debug:
        record["debug"] = failure.debug
    return record
