"""Answers to the new-member protocol set (eval/protocol20.jsonl), with their follow-ups.

    .venv/bin/python scripts/protocol_answers.py eval/protocol20.jsonl > answers.jsonl

Each line: the question, the answer as a member reads it (terminal wording), its citations,
and for questions with a `follow_up`, the reply to it in the same conversation. A grader who
has read only the texts marks each one good / partial / wrong / correct refusal.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.terminal.render import answer_json
from retrieval.assembly import build_service
from retrieval.settings import Settings
from retrieval.types import Turn


def main(path: str) -> None:
    service = build_service(Settings.from_env())
    service.ensure_index()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        answer = service.ask(case["question"])
        row = {"id": case["id"], **_shown(answer_json(answer))}
        if case.get("follow_up"):
            turn = Turn(answer.standalone_question, answer.text, answer.citations, answer.refused)
            row["follow_up"] = case["follow_up"]
            row["follow_up_reply"] = _shown(answer_json(service.ask(case["follow_up"], [turn])))
        print(json.dumps(row, ensure_ascii=False))


def _shown(data: dict) -> dict:
    keep = ("question", "answer", "refused", "citations")
    return {k: data[k] for k in keep}


if __name__ == "__main__":
    main(sys.argv[1])
