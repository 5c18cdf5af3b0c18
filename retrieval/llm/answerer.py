"""Generated answers on any LangChain chat model, verified in code, falling back to extraction.

The model sees the retrieved passages as numbered, quoted material and answers with [n]
markers. What it writes is checked (retrieval.llm.citecheck) before anyone sees it; a timeout,
an error, a rate limit or a reply with nothing verifiable raises `LLMFailure`, and the chain
answers extractively instead (retrieval/chain.py), so the member always gets a cited answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from retrieval.answer.support import TermSupport
from retrieval.errors import SettingsError
from retrieval.llm import prompts
from retrieval.llm.calls import Call, Caller
from retrieval.llm.citecheck import CiteChecker
from retrieval.llm.failure import LLMFailure
from retrieval.settings import Settings
from retrieval.types import Answer, Passage, Refusal, RefusalReason, Turn

log = logging.getLogger(__name__)

# Providers whose LangChain classes take `timeout`, `max_retries` and `api_key`.
_STANDARD_KWARGS = {"openai", "anthropic", "azure_openai", "groq", "mistralai", "deepseek", "xai"}
REWRITE_TIMEOUT_S = 5.0  # a follow-up rewrite must not eat the answer's time
MAX_REWRITE_CHARS = 400
MIN_SECRET_CHARS = 8  # shorter values would match ordinary words


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The chat model named in LLM_MODEL, on LLM_BASE_URL when that is set."""
    key = settings.llm_api_key.get_secret_value()
    if settings.llm_base_url:
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=key or "not-needed",
            timeout=settings.llm_deadline_s,
            max_retries=0,  # a retry would wait out the deadline a second time
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
        )
    from langchain.chat_models import init_chat_model

    provider = settings.llm_model.split(":", 1)[0] if ":" in settings.llm_model else ""
    return init_chat_model(settings.llm_model, **_provider_kwargs(settings, provider, key))


def _provider_kwargs(settings: Settings, provider: str, key: str) -> dict[str, Any]:
    """Deadline, no retries, length and temperature, in the words each provider class takes."""
    if provider == "ollama":
        return {"num_predict": settings.llm_max_tokens, "temperature": settings.llm_temperature}
    if provider not in _STANDARD_KWARGS:
        return {}
    kwargs = {
        "timeout": settings.llm_deadline_s,
        "max_retries": 0,
        "max_tokens": settings.llm_max_tokens,
        "temperature": settings.llm_temperature,
    }
    return kwargs | ({"api_key": key} if key else {})


def make_generator(
    settings: Settings,
    embedder: Embeddings | None = None,
    terms: TermSupport | None = None,
    blocked: re.Pattern[str] | None = None,
) -> LLMAnswerer:
    """The LLM answerer for LLM_MODEL; SettingsError (never showing the key) if it can't be."""
    if not settings.llm_model:
        raise SettingsError("LLM_MODEL is not set: name the model to use, e.g. openai:gpt-4o-mini.")
    if embedder is None:
        from retrieval.index.embedder import make_embeddings

        embedder = make_embeddings(settings.embeddings)
    try:
        model = make_chat_model(settings)
    except ImportError as exc:
        raise SettingsError(
            f"LLM_MODEL={settings.llm_model!r} needs its LangChain package ({exc.name or exc}); "
            "install the matching extra, e.g. `uv sync --extra openai`."
        ) from None
    except Exception as exc:  # providers raise their own types for a missing key or bad name
        raise SettingsError(
            f"LLM_MODEL={settings.llm_model!r} cannot be used ({type(exc).__name__}); check "
            "LLM_MODEL, LLM_BASE_URL and LLM_API_KEY."
        ) from None
    secrets = [s for s in settings.secret_values() if len(s) >= MIN_SECRET_CHARS]
    return LLMAnswerer(
        model,
        embedder,
        settings.llm_deadline_s,
        secrets=secrets,
        terms=terms,
        rewrite_timeout_s=settings.llm_rewrite_deadline_s,
        concurrency=settings.llm_parallel,
        blocked=blocked,
    )


def _untrusted(stats: dict) -> str:
    """Why a checked reply is not used: no sentences, no citation markers, or unsupported."""
    if not stats["sentences"]:
        return "no sentences"
    return "unsupported" if stats["reply_marked"] else "no markers"


class LLMAnswerer:
    """Asks the chat model and verifies what it says; raises LLMFailure when nothing holds."""

    def __init__(
        self,
        model: BaseChatModel,
        embedder: Embeddings,
        timeout_s: float = 20.0,
        secrets: Sequence[str] = (),
        checker: CiteChecker | None = None,
        terms: TermSupport | None = None,
        rewrite_timeout_s: float = REWRITE_TIMEOUT_S,
        concurrency: int = 1,
        blocked: re.Pattern[str] | None = None,
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.rewrite_timeout_s = rewrite_timeout_s
        self.checker = checker or CiteChecker(embedder, terms=terms, also_blocked=blocked)
        self.secrets = [s for s in secrets if s]
        self.caller = Caller(concurrency)
        self.answer_chain = prompts.answer_prompt() | model
        self.rewrite_chain = prompts.rewrite_prompt() | model

    def answer(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Answer:
        """The model's verified answer (or its refusal); LLMFailure when neither can be used."""
        numbered = {n: p for n, p in enumerate(passages, 1)}
        inputs = {
            "passages": prompts.format_passages(numbered),
            "question": prompts.quoted(question),
            "history": prompts.history_messages(history),
        }
        call = self.call(self.answer_chain, inputs)
        debug = self.debug_of(call)
        if not call.ok:
            raise LLMFailure(call.failure, _cost(call), debug)
        if is_refusal(call.text):
            refusal = Refusal(RefusalReason.MODEL_DECLINED)
            verification = {"outcome": "llm_refused", **_cost(call)}
            return Answer(question, "", refusal=refusal, path="llm", verification=verification)
        checked = self.checker.check(self.redacted(call.text), numbered)
        debug["verdicts"] = checked.verdicts
        stats = {**checked.stats, **_cost(call)}
        if not checked.trusted:
            raise LLMFailure(_untrusted(checked.stats), stats, debug)
        verification = {"outcome": "verified", **stats, "debug": debug}
        return Answer(
            question, checked.text, tuple(checked.citations), None, {}, "llm", verification
        )

    def call(self, chain, inputs: Mapping[str, Any], timeout_s: float | None = None) -> Call:
        """One model call under its deadline (the request is cancelled past it)."""
        return self.caller.call(chain, inputs, timeout_s or self.timeout_s)

    def standalone(self, question: str, history: Sequence[Turn], offline: str) -> str:
        """The follow-up rewritten by the model to stand alone, or `offline` if that fails."""
        inputs = {
            "conversation": prompts.conversation_text(history),
            "question": prompts.quoted(question),
        }
        call = self.call(self.rewrite_chain, inputs, self.rewrite_timeout_s)
        rewritten = " ".join((call.text or "").split()).strip("\"'“”")
        if not call.ok or not rewritten or len(rewritten) > MAX_REWRITE_CHARS:
            return offline
        return offline if is_refusal(rewritten) else rewritten

    def redacted(self, reply: str) -> str:
        """The reply without any configured secret (it cannot know one; this makes sure)."""
        for secret in self.secrets:
            if secret in reply:
                log.warning("LLM reply contained a configured secret; removed it")
                reply = reply.replace(secret, "[redacted]")
        return reply

    def debug_of(self, call: Call) -> dict:
        """What `seedbot ask --json --debug` shows of a call: the reply, secrets removed."""
        return {"reply": self.redacted(call.text) if call.text else None, "finish": call.finish}


def _cost(call: Call) -> dict:
    """Seconds and tokens of a call, for the verification record and the benchmark."""
    usage = call.usage
    cost = {"llm_seconds": round(call.seconds, 2)}
    if usage.get("output_tokens"):
        cost |= {"tokens_in": usage.get("input_tokens", 0), "tokens_out": usage["output_tokens"]}
    return cost


def is_refusal(reply: str) -> bool:
    """True when the reply is the agreed "no answer" phrase, however it is dressed."""
    flat = " ".join(reply.upper().replace("*", " ").replace("`", " ").split()).strip(" .!\"'")
    return flat.startswith(prompts.NO_ANSWER) and len(flat) < len(prompts.NO_ANSWER) + 40
