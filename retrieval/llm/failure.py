"""What a failed LLM call raises; apart from the answerer so the offline path need not load it.

The chain catches `LLMFailure` to fall back to the extractive answer, so it must import this
class even with no LLM configured; the answerer itself (LangChain's chat-model and prompt
modules) is loaded only when a model is (retrieval/assembly.py).
"""

from __future__ import annotations


class LLMFailure(Exception):
    """The model gave nothing usable: why (a timeout, an error, an unsupported reply) and counts."""

    def __init__(self, why: str, stats: dict | None = None, debug: dict | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.stats = stats or {}
        self.debug = debug or {}  # the raw reply and per-sentence verdicts, for --debug
