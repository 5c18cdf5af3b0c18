"""Who decides when the model and the evidence disagree, recorded in `verification["decision"]`.

- The refusal policy refuses: the model is never asked (`policy`).
- The model answers and its citations hold: the model decides (`model`).
- The model declines but the evidence is strong: a small model's "no answer" is less reliable
  than a passage that matches the question this well, so the extractive answer is shown
  (`evidence`). Below that level the model's refusal stands.
- The model fails (timeout, error, nothing verifiable): the extractive answer (`evidence`).
"""

from __future__ import annotations

from retrieval.llm.answerer import LLMFailure

# Calibrated with `python -m bench.arbitration` on the eval set and held-out sets 1-4 (254
# questions, 174 answered offline): the lowest relevance at which at least 95% of the offline
# answers at or above it cite a gold passage of an answerable question. 21 answers stand at
# 0.64 or above, 20 of them right; the two-fold check gives 0.93 and 0.89 on the other half.
STRONG_EVIDENCE = 0.64
MIN_PRECISION = 0.95


def decision(by: str, why: str) -> dict:
    """The `decision` entry of an answer's verification: which side decided, and why."""
    return {"decision": {"by": by, "why": why}}


def overrides_decline(relevance: float, level: float = STRONG_EVIDENCE) -> bool:
    """Whether evidence this relevant outweighs the model's "no answer"."""
    return relevance >= level


def fallback_record(failure: LLMFailure) -> dict:
    """What an answer that fell back to extraction records about the model's failure."""
    record = {"outcome": "fallback", "llm_fallback": failure.why, **failure.stats}
    record |= decision("evidence", "llm_failed")
    if failure.debug:
        record["debug"] = failure.debug
    return record
