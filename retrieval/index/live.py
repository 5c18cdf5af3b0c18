"""The live index: the version questions are answered from, followed across processes, refreshed."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import StoreError, StoreUnavailableError
from retrieval.index.indexer import Indexer, Progress, RefreshReport
from retrieval.index.locks import RefreshLock
from retrieval.index.store import Store, Version
from retrieval.search.hybrid import Retriever
from retrieval.types import Passage

log = logging.getLogger(__name__)

# How stale another process's refresh may look before we notice it. Searches do not read
# the pointer: the version in use stays whole for indexer.REPLACED_KEPT_S after it is replaced.
POINTER_TTL_S = 2.0


@dataclass(frozen=True)
class SourcesInfo:
    """The documents of the live index and when it was built."""

    built_at: float
    documents: dict[str, dict[str, Any]]
    passages: int


class LiveIndex:
    """Hands out the retriever of the live version; swaps it when a refresh flips the pointer."""

    def __init__(
        self,
        store: Store,
        indexer: Indexer,
        cache_dir: Path,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.indexer = indexer
        self.cache_dir = cache_dir  # where BM25 indexes are kept between processes
        self.clock = clock
        self._retriever: Retriever | None = None
        self._checked_at = 0.0
        self._swap = threading.Lock()

    @property
    def lock(self) -> RefreshLock:
        return self.indexer.lock

    def current(self) -> Retriever:
        """The retriever of the live version; IndexMissingError before the first refresh."""
        now = self.clock()
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
                self._retriever = Retriever(
                    self.store, version, self.cache_dir, previous=self._retriever
                )
                log.debug("loaded index %s (%d passages)", version.name, self._retriever.size)
            return self._retriever

    def search(self, question: str, query_vector: np.ndarray, k: int) -> list[Passage]:
        """The `k` best passages of the live version for the question, best first."""
        try:
            return self.current().search(question, query_vector, k)
        except StoreUnavailableError:
            raise
        except StoreError:
            # Another process may have replaced, then dropped, the version loaded here.
            self._checked_at = float("-inf")
            return self.current().search(question, query_vector, k)

    def neighbour(self, passage: Passage, after: bool) -> Passage | None:
        """The live version's passage of the same file just after (or before) `passage`.

        It only completes an answer, so a store that fails here costs that, not the answer.
        """
        try:
            return self.current().neighbour(passage, after)
        except StoreError as error:
            log.warning("no neighbour of passage %s: %s", passage.id, error)
            return None

    def refresh(self, progress: Progress | None = None, force: bool = False) -> RefreshReport:
        """Refresh from the corpus folder; RefreshRunningError if one is already running."""
        report = self.indexer.refresh(progress, force)
        self._load(self.store.active())
        self._checked_at = self.clock()
        return report

    @property
    def refreshing(self) -> bool:
        return self.lock.running

    def sources(self) -> SourcesInfo:
        retriever = self.current()
        version = retriever.version
        return SourcesInfo(version.built_at, version.documents, retriever.size)
