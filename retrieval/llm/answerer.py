"""Generated answers on any LangChain chat model, verified in code, falling back to extraction.

The model sees the retrieved passages as numbered, quoted material and answers with [n]
markers. What it writes is checked (retrieval.llm.citecheck) before anyone sees it; a timeout,
an error, a rate limit or a reply with nothing verifiable leaves the extractive answer,
which was composed before the model was asked, so the member always gets a cited answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from retrieval.answer.support import TermSupport
from retrieval.errors import SettingsError
from retrieval.llm import prompts
from retrieval.llm.citecheck import CiteChecker
from retrieval.settings import Settings
from retrieval.types import Answer, Passage, Refusal, RefusalReason, Turn

log = logging.getLogger(__name__)

# Providers whose LangChain classes take `timeout`, `max_retries` and `api_key`.
_STANDARD_KWARGS = {"openai", "anthropic", "azure_openai", "groq", "mistralai", "deepseek", "xai"}
REWRITE_TIMEOUT_S = 5.0  # a follow-up rewrite must not eat the answer's time
MAX_REWRITE_CHARS = 400
MAX_WORKERS = 4
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
            timeout=settings.llm_timeout_s,
            max_retries=0,
        )
    from langchain.chat_models import init_chat_model

    provider = settings.llm_model.split(":", 1)[0] if ":" in settings.llm_model else ""
    kwargs: dict[str, Any] = {}
    if provider in _STANDARD_KWARGS:
        kwargs = {"timeout": settings.llm_timeout_s, "max_retries": 0}
        if key:
            kwargs["api_key"] = key
    return init_chat_model(settings.llm_model, **kwargs)


def make_generator(
    settings: Settings, embedder: Embeddings | None = None, terms: TermSupport | None = None
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
    return LLMAnswerer(model, embedder, settings.llm_timeout_s, secrets=secrets, terms=terms)


class LLMFailure(Exception):
    """The model gave nothing usable: why (a timeout, an error, an unsupported reply) and counts."""

    def __init__(self, why: str, stats: dict | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.stats = stats or {}


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
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.checker = checker or CiteChecker(embedder, terms=terms)
        self.secrets = [s for s in secrets if s]
        self.answer_chain = prompts.answer_prompt() | model | StrOutputParser()
        self.rewrite_chain = prompts.rewrite_prompt() | model | StrOutputParser()
        self._pool = ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix="llm")

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
        reply, failure = self.invoke(self.answer_chain, inputs)
        if failure:
            raise LLMFailure(failure)
        if is_refusal(reply):
            refusal = Refusal(RefusalReason.MODEL_DECLINED)
            return Answer(question, "", refusal=refusal, path="llm", verification=_DECLINED)
        checked = self.checker.check(self.redacted(reply), numbered)
        if not checked.trusted:
            raise LLMFailure("unsupported", checked.stats)
        verification = {"outcome": "verified", **checked.stats}
        return Answer(
            question, checked.text, tuple(checked.citations), None, {}, "llm", verification
        )

    def invoke(self, chain, inputs: Mapping[str, Any], timeout_s: float | None = None):
        """(reply, None), or (None, why) when the model failed, timed out or said nothing."""
        reply, failure = self.run(lambda: chain.invoke(dict(inputs)), timeout_s)
        if failure is None and (not isinstance(reply, str) or not reply.strip()):
            log.warning("LLM reply was empty; falling back")
            return None, "empty reply"
        return reply, failure

    def run(self, work: Callable[[], Any], timeout_s: float | None = None):
        """(result, None) of a model call, or (None, why) past the deadline or on any error."""
        deadline = timeout_s or self.timeout_s
        future = self._pool.submit(work)
        try:
            return future.result(timeout=deadline), None
        except FutureTimeout:
            future.cancel()  # a call already running ends at the client's own timeout
            log.warning("LLM gave no reply within %.1f s; falling back", deadline)
            return None, "timeout"
        except Exception as exc:  # any provider failure must end in the offline answer
            why = _failure(exc)
            log.warning("LLM call failed (%s); falling back", why)
            return None, why

    def standalone(self, question: str, history: Sequence[Turn], offline: str) -> str:
        """The follow-up rewritten by the model to stand alone, or `offline` if that fails."""
        inputs = {
            "conversation": prompts.conversation_text(history),
            "question": prompts.quoted(question),
        }
        reply, failure = self.invoke(
            self.rewrite_chain, inputs, min(self.timeout_s, REWRITE_TIMEOUT_S)
        )
        rewritten = " ".join((reply or "").split()).strip("\"'“”")
        if failure or not rewritten or len(rewritten) > MAX_REWRITE_CHARS or is_refusal(rewritten):
            return offline
        return rewritten

    def redacted(self, reply: str) -> str:
        """The reply without any configured secret (it cannot know one; this makes sure)."""
        for secret in self.secrets:
            if secret in reply:
                log.warning("LLM reply contained a configured secret; removed it")
                reply = reply.replace(secret, "[redacted]")
        return reply


_DECLINED = {"outcome": "llm_refused"}


def is_refusal(reply: str) -> bool:
    """True when the reply is the agreed "no answer" phrase, however it is dressed."""
    flat = " ".join(reply.upper().replace("*", " ").replace("`", " ").split()).strip(" .!\"'")
    return flat.startswith(prompts.NO_ANSWER) and len(flat) < len(prompts.NO_ANSWER) + 40


def _failure(exc: BaseException) -> str:
    """Why a call failed, by type and HTTP status only: messages may carry request details."""
    status = getattr(exc, "status_code", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    if status == 429:
        return "rate limited (429)"
    name = type(exc).__name__
    if "Timeout" in name:
        return "timeout"
    return f"{name} ({status})" if status else name
