"""Building the service's parts from settings: store, embedder, live index, stages, LLM."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from retrieval.answer.citations import CitationGate, CorpusLines
from retrieval.answer.policy import RefusalPolicy
from retrieval.answer.refusal_model import SHIPPED, RefusalModel
from retrieval.answer.support import TermSupport
from retrieval.chain import AskStages
from retrieval.index.embedder import embed_array, make_embeddings
from retrieval.index.indexer import Indexer
from retrieval.index.live import LiveIndex
from retrieval.index.locks import RefreshLock
from retrieval.index.store import Store, make_client
from retrieval.search.chance import ChanceFloor
from retrieval.search.retriever import HybridRetriever
from retrieval.service import SeedService
from retrieval.settings import Settings

if TYPE_CHECKING:
    from retrieval.llm.answerer import LLMAnswerer


def build_service(
    settings: Settings,
    client: Any = None,
    measure_all: bool = False,
    blocked_claims: re.Pattern[str] | None = None,
) -> SeedService:
    """The service over the store in settings (or `client`), with the LLM when configured.

    `blocked_claims`: generated sentences an adapter never lets through (Discord: a mention).
    """
    embedder = make_embeddings(settings.embeddings)
    support = TermSupport(embedder)
    generator = None
    if settings.llm_enabled:
        from retrieval.llm.answerer import make_generator

        generator = make_generator(settings, embedder, terms=support, blocked=blocked_claims)
    store = Store(make_client(settings, client=client))
    return assemble(settings, store, embedder, generator, support, measure_all=measure_all)


def assemble(
    settings: Settings,
    store: Store,
    embedder: Embeddings,
    generator: LLMAnswerer | None = None,
    support: TermSupport | None = None,
    clock: Callable[[], float] = time.monotonic,
    measure_all: bool = False,
) -> SeedService:
    """The service from its parts (what tests use with their own store, embedder or clock)."""
    support = support or TermSupport(embedder)
    lock = RefreshLock(settings.store_dir / "refresh.lock")
    chunks = settings.store_dir / "chunks"
    indexer = Indexer(store, embedder, settings.corpus_dir, lock, settings.chunk_chars, chunks)
    live = LiveIndex(store, indexer, settings.store_dir / "bm25", clock)
    retriever = HybridRetriever(
        live=live, embed=lambda text: embed_array(embedder, [text])[0], k=settings.top_k
    )
    floor = ChanceFloor(lambda texts: embed_array(embedder, texts))
    stages = AskStages(
        retriever=retriever,
        keywords=lambda: live.current().keywords,
        chance=lambda: floor.of(live.current()),
        policy=RefusalPolicy(
            support,
            RefusalModel.load(settings.refusal_model or SHIPPED),
            settings.min_relevance or None,
            measure_all,
        ),
        gate=CitationGate(CorpusLines(settings.corpus_dir)),
        answer_sentences=settings.answer_sentences,
        generator=generator,
    )
    return SeedService(settings, live, stages, embedder, support)
