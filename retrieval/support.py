"""Does the evidence speak to every key term of the question? The refusal signal's second half.

A question can sit close to a passage in embedding space while asking about something
the passage never mentions ("who founded MIRI" next to a passage on alignment research).
Each content word of the question is compared, as a word vector, with the words of the
retrieved passages; the IDF-weighted share of question words with no close counterpart
is what the answerer subtracts from its relevance.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.embedder import embed_array
from retrieval.keywords import STOPWORDS, KeywordIndex, _stem, words

CLOSE_WORD = 0.5  # cosine of two word vectors above which one word supports the other
CACHE_WORDS = 50_000


class TermSupport:
    """Word vectors from the sentence embedder, cached, to compare question and evidence words."""

    def __init__(self, embedder: Embeddings) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def unsupported_share(self, question: str, evidence_text: str, keywords: KeywordIndex) -> float:
        """IDF-weighted share of the question's content words with no close word in the evidence."""
        asked = sorted({w for w in words(question) if w not in STOPWORDS})
        if not asked:
            return 0.0
        present = {w for w in words(evidence_text) if w not in STOPWORDS}
        stems = {_stem(w) for w in present}
        missing = [w for w in asked if w not in present and _stem(w) not in stems]
        weights = {w: keywords.idf(_stem(w)) for w in asked}
        if missing and present:
            vectors = self._vectors(missing + sorted(present))
            closeness = vectors[: len(missing)] @ vectors[len(missing) :].T
            missing = [w for w, best in zip(missing, closeness.max(axis=1)) if best < CLOSE_WORD]
        return sum(weights[w] for w in missing) / (sum(weights.values()) or 1.0)

    def prefetch(self, vocabulary: list[str], batch: int = 128) -> None:
        """Embed the corpus's common words ahead of time, so early questions don't wait."""
        for start in range(0, min(len(vocabulary), CACHE_WORDS), batch):
            if self._stop.is_set():
                return
            self._vectors(vocabulary[start : start + batch])

    def stop_prefetch(self, worker: threading.Thread, timeout: float = 10.0) -> None:
        """Stop a prefetch between batches and wait for it (called at exit)."""
        self._stop.set()
        worker.join(timeout)

    def _vectors(self, items: list[str]) -> np.ndarray:
        with self._lock:
            new = [w for w in items if w not in self._cache]
        if new:
            computed = embed_array(self.embedder, new)
            with self._lock:
                for word, vector in zip(new, computed):
                    self._cache[word] = vector.astype(np.float16)  # half the memory
                while len(self._cache) > CACHE_WORDS:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[w] for w in items]).astype(np.float32)
