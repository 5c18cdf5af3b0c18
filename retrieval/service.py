"""The answering service: the one API the CLI and the Discord bot both call."""

from __future__ import annotations

import atexit
import logging
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.answer import extractive
from retrieval.answer.definitions import defined_term
from retrieval.index.embedder import embed_array, make_embeddings
from retrieval.errors import QuestionError, StoreError, StoreUnavailableError
from retrieval.answer.followup import standalone_question
from retrieval.index.indexer import Indexer, Progress, RefreshReport
from retrieval.index.locks import RefreshLock
from retrieval.search.hybrid import Retriever
from retrieval.settings import Settings
from retrieval.index.store import Store, Version, make_client
from retrieval.summary.summarizer import Summarizer, Summary
from retrieval.answer.support import TermSupport
from retrieval.types import Answer, Passage, Turn
from retrieval.answer.citations import CorpusLines

log = logging.getLogger(__name__)

# The passages whose words count as covering the question. 4 rather than 3 was chosen on the
# 254 calibration questions of eval/ (two-fold checked): at the same threshold, 0.088 wrong
# refusals instead of 0.107, for 0.695 correct refusals instead of 0.716.
EVIDENCE_PASSAGES = 4
POINTER_TTL_S = 2.0  # how stale another process's refresh may look before we notice it
REFUSAL = (
    "I couldn't find an answer to that in the indexed texts. Try rephrasing it, "
    "or see /sources for what they cover."
)


def refusal_for(question: str, evidence_text: str) -> str:
    """The refusal, saying so when the texts use the term asked about but never explain it."""
    term = defined_term(question)
    if term is not None and term.lower() in evidence_text.lower():
        return (
            f"The indexed texts mention “{term}” but don't say what it is. Try asking what "
            "they say about it, or see /sources for what they cover."
        )
    return REFUSAL


@dataclass(frozen=True)
class SourcesInfo:
    """The documents of the live index and when it was built."""

    built_at: float
    documents: dict[str, dict[str, Any]]
    passages: int


class SeedService:
    """Answers questions from the live index, refreshes it, and lists its sources."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Embeddings,
        generator: Any = None,
        support: TermSupport | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.generator = generator  # optional LLM answerer; None means extractive only
        self.lines = CorpusLines(settings.corpus_dir)
        self.support = support or TermSupport(embedder)
        self.refresh_lock = RefreshLock(settings.store_dir / "refresh.lock")
        self.indexer = Indexer(
            store, embedder, settings.corpus_dir, self.refresh_lock, settings.chunk_chars
        )
        self.min_relevance = settings.min_relevance or extractive.DEFAULT_MIN_RELEVANCE
        self._retriever: Retriever | None = None
        self._checked_at = 0.0
        self._swap = threading.Lock()
        self.summaries = Summarizer(self)

    @classmethod
    def from_settings(cls, settings: Settings, client: Any = None) -> SeedService:
        """Build the store, the embedder and (if configured) the LLM answerer from settings."""
        store = Store(make_client(settings, client=client))
        embedder = make_embeddings(settings.embeddings)
        support = TermSupport(embedder)  # word vectors, shared with the LLM answer's checks
        generator = None
        if settings.llm_enabled:
            from retrieval.llm.answerer import make_generator

            generator = make_generator(settings, embedder, terms=support)
        return cls(settings, store, embedder, generator, support)

    # -- answering -----------------------------------------------------------------------

    def ask(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """Answer `question` (with earlier turns of the conversation) from the live index."""
        started = time.perf_counter()
        question = self.clean_question(question)
        timings: dict[str, float] = {}
        standalone = self._timed(timings, "rewrite", lambda: self.standalone(question, history))
        query_vector = self._timed(timings, "embed", lambda: self.embed_query(standalone))
        passages = self._timed(
            timings,
            "retrieve",
            lambda: self._search(standalone, query_vector),
        )
        answer = self._timed(
            timings,
            "answer",
            lambda: self.answer_from(question, standalone, query_vector, passages, history),
        )
        answer.standalone_question = standalone
        timings["total"] = (time.perf_counter() - started) * 1000
        answer.timings_ms = {**timings, **answer.timings_ms}
        return answer

    def answer_from(
        self,
        question: str,
        standalone: str,
        query_vector: np.ndarray,
        passages: list[Passage],
        history: Sequence[Turn] = (),
    ) -> Answer:
        """Compose the answer from retrieved passages: extractive, or the LLM when configured."""
        keywords = self.retriever().keywords
        evidence = extractive.rank_evidence(standalone, query_vector, passages, keywords)
        evidence_text = " ".join(p.text for p in passages[:EVIDENCE_PASSAGES])
        unsupported = self.support.unsupported_share(standalone, evidence_text, keywords)
        relevance = extractive.relevance(standalone, evidence, unsupported)
        if relevance < self.min_relevance:
            fallback = Answer(question, refusal_for(standalone, evidence_text), refused=True)
        else:
            most = self.settings.answer_sentences
            chosen = extractive.select(evidence, most)
            chosen = extractive.with_gloss(standalone, evidence, chosen, most)
            text, citations = extractive.compose(chosen)
            fallback = Answer(question, text, refused=False, citations=citations)
        fallback.verification = {"relevance": round(relevance, 4)}
        # The LLM is asked only when the texts hold relevant evidence: an off-topic question
        # is refused the same way on both paths, and costs no LLM call.
        if self.generator is not None and passages and not fallback.refused:
            return self.checked(
                self.generator.answer(question, standalone, passages, fallback, history)
            )
        return self.checked(fallback)

    def standalone(self, question: str, history: Sequence[Turn]) -> str:
        """The follow-up rewritten to stand alone: by the LLM when configured, else offline."""
        offline = standalone_question(question, history)
        if self.generator is None or not history:
            return offline
        return self.generator.standalone(question, history, offline)

    def checked(self, answer: Answer) -> Answer:
        """Drop any citation whose quote is not verbatim at its lines (and its markers)."""
        verified, rejected = self.lines.check(answer.citations)
        answer.verification = {
            **answer.verification,
            "citations_checked": len(answer.citations),
            "citations_rejected": len(rejected),
        }
        if rejected and not verified:
            answer.answer, answer.refused, answer.citations = REFUSAL, True, []
        elif rejected:
            for citation in rejected:
                answer.answer = answer.answer.replace(f" [{citation.n}]", "")
            answer.citations = verified
        return answer

    def clean_question(self, question: str) -> str:
        """The question without control characters; QuestionError if empty or too long."""
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"That question is {len(question):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,}. Please shorten it."
            )
        kept = "".join(
            ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in question
        )
        cleaned = " ".join(kept.split())
        if not cleaned:
            raise QuestionError("The question is empty: ask something about the texts.")
        return cleaned

    def _search(self, question: str, query_vector: np.ndarray) -> list[Passage]:
        try:
            return self.retriever().search(question, query_vector, self.settings.top_k)
        except StoreUnavailableError:
            raise
        except StoreError:
            # Another process may have replaced, then dropped, the version loaded here.
            self._checked_at = float("-inf")
            return self.retriever().search(question, query_vector, self.settings.top_k)

    def embed_query(self, text: str) -> np.ndarray:
        return embed_array(self.embedder, [text])[0]

    @staticmethod
    def _timed(timings: dict[str, float], name: str, work):
        started = time.perf_counter()
        result = work()
        timings[name] = (time.perf_counter() - started) * 1000
        return result

    # -- the live index ------------------------------------------------------------------

    def retriever(self) -> Retriever:
        """The retriever of the live version; follows the pointer when another process flips it."""
        now = time.monotonic()
        current = self._retriever
        if current is not None and now - self._checked_at < POINTER_TTL_S:
            return current
        version = self.store.active()
        self._checked_at = now
        if current is not None and current.version.name == version.name:
            return current
        return self._load(version)

    def _load(self, version: Version) -> Retriever:
        with self._swap:
            if self._retriever is None or self._retriever.version.name != version.name:
                # Built before it is swapped in: questions keep using the old one meanwhile.
                self._retriever = Retriever(self.store, version, self.settings.store_dir / "bm25")
                log.debug("loaded index %s (%d passages)", version.name, self._retriever.size)
            return self._retriever

    def refresh(self, progress: Progress | None = None, force: bool = False) -> RefreshReport:
        """Refresh the index from the corpus folder; RefreshRunningError if one is running."""
        report = self.indexer.refresh(progress, force)
        self._load(self.store.active())
        self._checked_at = time.monotonic()
        return report

    @property
    def refreshing(self) -> bool:
        return self.refresh_lock.running

    def sources(self) -> SourcesInfo:
        version = self.retriever().version
        return SourcesInfo(version.built_at, version.documents, self.retriever().size)

    def summarize(self, document: str | None = None, topic: str | None = None) -> Summary:
        """Summarise a document, a topic or the whole corpus (cached until the next refresh)."""
        return self.summaries.summarize(document, topic)

    def warm_up(self, background: bool = True) -> None:
        """Load the index and the model now, and the word cache meanwhile, so nobody waits."""
        words = self.retriever().common_words
        self.embed_query("warm up")
        if not background:
            self.support.prefetch(words)
            return
        worker = threading.Thread(
            target=self.support.prefetch, args=(words,), name="word-prefetch", daemon=True
        )
        # onnxruntime aborts the process if the interpreter exits while it runs in a thread.
        atexit.register(self.support.stop_prefetch, worker)
        worker.start()
