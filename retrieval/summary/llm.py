"""Map-reduce summaries with an LLM: batches of passages summarised, verified, then combined.

Each map reply is checked against its own batch only, so a note can cite no passage the
model did not see. Map calls run at most LLM_CONCURRENCY at once, each under its own
deadline; a batch that times out loses only its own notes, never the finished ones. The
reduce step sees only verified notes, each with the global number of its passage, and
what it writes is checked against those passages again. If the reduce fails, the verified
notes themselves are the summary; if nothing survives, the caller keeps the offline summary.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from retrieval.llm import prompts
from retrieval.llm.citecheck import Kept, trusted
from retrieval.types import Passage

log = logging.getLogger(__name__)

MAP_BATCH = 8  # passages per map call
MAP_SENTENCES = 3
SUMMARY_SENTENCES = 6


def map_reduce(
    generator,
    passages: list[Passage],
    topic: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Kept], dict]:
    """Verified summary sentences (empty when the LLM gave nothing usable) and the outcome.

    `progress(done, total)` is called as each map call ends (from the calls' own thread).
    """
    numbered = dict(enumerate(passages, 1))
    items = list(numbered.items())
    batches = [dict(items[i : i + MAP_BATCH]) for i in range(0, len(items), MAP_BATCH)]
    focus = f", as far as they bear on “{prompts.quoted(topic)}”" if topic else ""
    notes, stats = _map(generator, batches, focus, progress)
    verification = {"map_calls": len(batches), **stats}
    if not notes:
        return [], {**verification, "outcome": "fallback", "llm_fallback": stats["map_failure"]}
    if len(batches) == 1:
        return notes, {**verification, "outcome": "verified"}
    kept, why = _reduce(generator, notes, numbered, focus)
    if why:
        return notes, {**verification, "outcome": "verified", "reduce_fallback": why}
    return kept, {**verification, "outcome": "verified", "reduce": "verified"}


def _map(generator, batches: list[dict[int, Passage]], focus: str, progress=None):
    """Each batch summarised (LLM_CONCURRENCY at a time); trusted, verified sentences come back."""
    chain = prompts.map_prompt() | generator.model
    inputs = [
        {"passages": prompts.format_passages(b), "sentences": MAP_SENTENCES, "focus": focus}
        for b in batches
    ]
    calls = generator.caller.call_each(chain, inputs, generator.timeout_s, progress)
    stats = {
        "map_failure": "",
        "map_failures": {},
        "map_sentences": 0,
        "map_sentences_kept": 0,
        "markers_invented": 0,
        "markers_unsupported": 0,
    }
    failures: Counter = Counter()
    notes: list[Kept] = []
    for batch, call in zip(batches, calls):
        if not call.ok:
            failures[call.failure] += 1
            continue
        kept, checked = generator.checker.verify(generator.redacted(call.text), batch)
        _add_counts(stats, checked)
        if trusted(checked):
            notes.extend(kept)
        else:
            failures["unsupported"] += 1
    stats["map_failures"] = dict(failures)
    if not notes:
        stats["map_failure"] = failures.most_common(1)[0][0] if failures else "unsupported"
    return notes, stats


def _reduce(generator, notes: list[Kept], numbered: dict[int, Passage], focus: str):
    """The notes combined into one summary and verified, or ([], why) if that failed."""
    number_of = {p.id: n for n, p in numbered.items()}
    lines = [
        f"- {text} " + " ".join(f"[{number_of[p.id]}]" for p, _ in support)
        for text, support in notes
    ]
    chain = prompts.reduce_prompt() | generator.model
    inputs = {"notes": "\n".join(lines), "sentences": SUMMARY_SENTENCES, "focus": focus}
    call = generator.call(chain, inputs)
    if not call.ok:
        return [], call.failure
    cited = {number_of[p.id]: p for _, support in notes for p, _ in support}
    kept, checked = generator.checker.verify(generator.redacted(call.text), cited)
    if not trusted(checked):
        log.warning("LLM summary reduce was mostly unsupported; using the verified notes")
        return [], "unsupported"
    return kept, ""


def _add_counts(stats: dict, checked: dict) -> None:
    stats["map_sentences"] += checked["sentences"]
    stats["map_sentences_kept"] += checked["sentences_kept"]
    stats["markers_invented"] += checked["markers_invented"]
    stats["markers_unsupported"] += checked["markers_unsupported"]
