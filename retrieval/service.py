"""The answering service, the one API of the core: a facade over the live index (version
following, refresh), the ask chain (retrieval/chain.py) and the summarizer."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from retrieval.answer.analysis import clean_question
from retrieval.answer.support import TermSupport
from retrieval.chain import Ask, AskStages, StageTimer
from retrieval.errors import IndexMissingError
from retrieval.index.indexer import Progress, RefreshReport
from retrieval.index.live import LiveIndex, SourcesInfo
from retrieval.index.store import Store
from retrieval.progress import OnStage, reporters
from retrieval.search.retriever import passage_of
from retrieval.settings import Settings
from retrieval.summary.summarizer import Summarizer, Summary
from retrieval.types import Answer, Passage, Turn

if TYPE_CHECKING:  # loaded only with an LLM configured (assembly.py)
    from retrieval.llm.answerer import LLMAnswerer


class SeedService:
    """Answers questions from the live index, refreshes it, summarises and lists its sources."""

    def __init__(
        self,
        settings: Settings,
        live: LiveIndex,
        stages: AskStages,
        embedder: Embeddings,
        support: TermSupport,
    ) -> None:
        self.settings = settings
        self.live = live
        self.stages = stages
        self.embedder = embedder
        self.support = support  # word vectors, shared by the refusal policy and the LLM checks
        self.summaries = Summarizer(live, stages, settings)
        self._chain = stages.chain()

    @property
    def store(self) -> Store:
        return self.live.store

    @property
    def generator(self) -> LLMAnswerer | None:
        return self.stages.generator

    def use_generator(self, generator: LLMAnswerer | None) -> None:
        """Answer with `generator` from now on (None: extractive only)."""
        self.stages = replace(self.stages, generator=generator)
        self.summaries = Summarizer(self.live, self.stages, self.settings)
        self._chain = self.stages.chain()

    def ask(
        self, question: str, history: Sequence[Turn] = (), on_stage: OnStage | None = None
    ) -> Answer:
        """Answer `question` (with earlier turns of the conversation) from the live index;
        `on_stage` hears each stage the work reaches (retrieval/progress.py), from any thread."""
        started = time.perf_counter()
        question = self.clean_question(question)
        timer = StageTimer()
        callbacks = [timer, *reporters(on_stage)]
        done: Ask = self._chain.invoke(
            Ask(question, tuple(history)), {"callbacks": callbacks, "run_name": "ask"}
        )
        timings = {**timer.timings, "total": (time.perf_counter() - started) * 1000}
        return replace(done.answer, timings_ms=timings, standalone_question=done.standalone)

    def search(self, question: str, k: int) -> list[Passage]:
        """The `k` passages retrieval ranks best for the question (for evaluation)."""
        return list(map(passage_of, self.stages.retriever.invoke(question, k=k)))

    def clean_question(self, question: str) -> str:
        """The question without control characters; QuestionError if empty or too long."""
        return clean_question(question, self.settings.max_question_chars)

    def refresh(self, progress: Progress | None = None, force: bool = False) -> RefreshReport:
        """Refresh the index from the corpus folder; RefreshRunningError if one is running."""
        return self.live.refresh(progress, force)

    def ensure_index(self, progress: Progress | None = None) -> RefreshReport | None:
        """Build the index if there is none yet (what `make run` relies on)."""
        try:
            self.live.current()
        except IndexMissingError:
            return self.refresh(progress)
        return None

    @property
    def refreshing(self) -> bool:
        return self.live.refreshing

    def sources(self) -> SourcesInfo:
        return self.live.sources()

    def summarize(self, document: str | None = None, topic: str | None = None) -> Summary:
        """Summarise a document, a topic or the whole corpus (cached until the next refresh)."""
        return self.summaries.summarize(
            document, None if topic is None else self.clean_question(topic)
        )

    def warm_up(self, background: bool = True) -> None:
        """Load the index and the model now, and the word cache meanwhile, so nobody waits."""
        self.load()
        self.prefetch_words(background)

    def load(self) -> None:
        """Load the live index and the embedding model: what the first answer needs."""
        self.live.current()
        self.stages.retriever.embed("warm up")
        self.stages.chance()  # the floor of this version: a few dozen embeddings, once

    def prefetch_words(self, background: bool = True) -> None:
        """Embed the corpus's commonest words into the word cache, in a thread or now."""
        words = self.live.current().common_words
        self.support.prefetch_soon(words) if background else self.support.prefetch(words)
        # The word lists a refusal reads (0.6 s): after the index and model, like the cache.
        if background:
            threading.Thread(target=self.stages.policy.load, name="word-lists", daemon=True).start()
        else:
            self.stages.policy.load()
