"""Which part of its work a question is at, for adapters that show progress while a model is slow.

`StageReporter` is a LangChain callback handler, handed to the ask chain beside `StageTimer`:
it reads the same events and calls `on_stage` with one of `STAGES` when the work moves on.
The names are identifiers; the adapters word them. The model call sees the chain's callbacks
although it runs on the private loop of retrieval/llm/calls.py: `run_coroutine_threadsafe`
carries the caller's context, where LangChain keeps the running config. So `on_stage` runs on
whatever thread raised the event and must be thread-safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler

SEARCH, WRITE, CHECK = "search", "write", "check"
STAGES = (SEARCH, WRITE, CHECK)

OnStage = Callable[[str], None]


class StageReporter(BaseCallbackHandler):
    """Reports "search" when the chain starts, "write" when the model is asked for the answer,
    and "check" when its reply is in and its citations are being checked."""

    run_inline = True  # the callback only hands the name on; no executor hop needed

    def __init__(self, on_stage: OnStage) -> None:
        self.on_stage = on_stage
        self.stage = ""  # the chain stage running now (retrieval/chain.py names them)
        self._reported: str | None = None

    def on_chain_start(self, serialized, inputs, *, run_id, name=None, **kwargs) -> None:
        name = name or kwargs.get("run_name") or ""
        if name in ("rewrite", "answer"):
            self.stage = name
        if name == "rewrite":
            self._report(SEARCH)

    def on_chat_model_start(self, serialized, messages, *, run_id, **kwargs) -> None:
        if self.stage == "answer":  # a follow-up rewrite also asks the model: still searching
            self._report(WRITE)

    def on_llm_end(self, response, *, run_id, **kwargs) -> None:
        if self.stage == "answer":
            self._report(CHECK)

    def _report(self, stage: str) -> None:
        if stage != self._reported:
            self._reported = stage
            self.on_stage(stage)


def reporters(on_stage: OnStage | None) -> list[Any]:
    """The handlers to add to a run's callbacks for `on_stage` (none when it is None)."""
    return [] if on_stage is None else [StageReporter(on_stage)]
