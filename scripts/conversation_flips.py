"""How often a question that stands alone is answered differently after another answer.

    .venv/bin/python scripts/conversation_flips.py eval/questions.jsonl eval/heldout5.jsonl

A member asks in a thread where the bot has just answered something else. Each question of the
sets (all from one corpus) is asked alone and again after the answer to a randomly drawn
answerable question of the same sets (seeded); the outcome (refused or not, and the first
cited line) should not change when the question does not lean on that answer. Prints the
number changed and each change with the text retrieval read.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from bot.terminal.evaluation import _service
from retrieval.evaluation import evaluate as ev
from retrieval.settings import Settings
from retrieval.types import Answer, Turn

SEED = 3


def outcome(answer: Answer) -> tuple[bool, int | None]:
    first = answer.citations[0] if answer.citations else None
    return answer.refused, first.line_start if first else None


def main(paths: list[Path]) -> None:
    service = _service(Settings.from_env(), ev.corpus_of(paths[0]))
    cases = [c for path in paths for c in ev.load_cases(path)]
    answerable = [c for c in cases if c.answerable]
    rng = random.Random(SEED)
    changed = []
    for case in cases:
        prior = rng.choice(answerable)
        earlier = service.ask(prior.question)
        turn = Turn(prior.question, earlier.text, tuple(earlier.citations), earlier.refused)
        alone, after = service.ask(case.question), service.ask(case.question, [turn])
        if outcome(alone) != outcome(after):
            changed.append((case.id, case.question, after.standalone_question))
    print(f"{len(changed)} of {len(cases)} outcomes changed after another answer")
    for row in changed:
        print(*row, sep="\t")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]])
