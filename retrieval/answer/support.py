"""Does the evidence speak to every key term of the question? The refusal signal's second half.

A question can sit close to a passage in embedding space while asking about something
the passage never mentions ("who founded MIRI" next to a passage on alignment research).
Each content word of the question is compared, as a word vector, with the words of the
retrieved passages; the IDF-weighted share of question words with no close counterpart
is what the answerer subtracts from its relevance.
"""

from __future__ import annotations

import atexit
import re
import threading
from collections import OrderedDict

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.index.embedder import embed_array
from retrieval.search.keywords import STOPWORDS, KeywordIndex, _stem, words

CLOSE_WORD = 0.5  # cosine of two word vectors above which one word supports the other
CACHE_WORDS = 50_000
MIN_ABBREVIATION = 4  # shorter prefixes match too much ("con", "pre")
_LETTERS_OR_DIGITS = re.compile(r"[a-z]+|[0-9]+")


def _asked_parts(word: str) -> list[str]:
    """A compound is asked for part by part: "mesa-optimizer" is not supported by "optimiser"."""
    return [p for p in word.split("-") if p] if "-" in word else [word]


def _present_parts(word: str) -> list[str]:
    """A word of the evidence, its hyphenated parts, and "gpt4" as "gpt" and "4"."""
    parts = [word, *(p for p in word.split("-") if p)]
    if "." not in word:
        parts += _LETTERS_OR_DIGITS.findall(word)
    return parts


def _abbreviates(word: str, present: set[str]) -> bool:
    """Users shorten words: "interp" for "interpretability", "calc" for "calculation"."""
    return (
        len(word) >= MIN_ABBREVIATION
        and word.isalpha()
        and any(p.startswith(word) for p in present)
    )


def _numbered(word: str, present: set[str]) -> bool:
    """ "2.2.x" stands for any of "2.2.1", "2.2.3", ... in the evidence."""
    prefix = word[:-1]
    return word.endswith(".x") and _has_digit(prefix) and any(p.startswith(prefix) for p in present)


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


class TermSupport:
    """Word vectors from the sentence embedder, cached, to compare question and evidence words."""

    def __init__(self, embedder: Embeddings) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def unsupported_share(self, question: str, evidence_text: str, keywords: KeywordIndex) -> float:
        """IDF-weighted share of the question's content words with no close word in the evidence."""
        asked = sorted({p for w in words(question) for p in _asked_parts(w)} - STOPWORDS)
        if not asked:
            return 0.0
        present = {p for w in words(evidence_text) for p in _present_parts(w)} - STOPWORDS
        stems = {_stem(w) for w in present}
        missing = [
            w
            for w in asked
            if w not in present
            and _stem(w) not in stems
            and not _numbered(w, present)
            and not _abbreviates(w, present)
        ]
        weights = {w: keywords.idf(_stem(w)) for w in asked}
        # A number or a model name ("6.2", "gpt-5") is supported only by itself: its word
        # vector sits close to every other number.
        similar = [w for w in missing if not _has_digit(w)]
        if similar and present:
            vectors = self._vectors(similar + sorted(present))
            closeness = vectors[: len(similar)] @ vectors[len(similar) :].T
            supported = {w for w, best in zip(similar, closeness.max(axis=1)) if best >= CLOSE_WORD}
            missing = [w for w in missing if w not in supported]
        return sum(weights[w] for w in missing) / (sum(weights.values()) or 1.0)

    def prefetch(self, vocabulary: list[str], batch: int = 128) -> None:
        """Embed the corpus's common words ahead of time, so early questions don't wait."""
        for start in range(0, min(len(vocabulary), CACHE_WORDS), batch):
            if self._stop.is_set():
                return
            self._vectors(vocabulary[start : start + batch])

    def prefetch_soon(self, vocabulary: list[str]) -> None:
        """Prefetch in a background thread, stopped cleanly at exit."""
        worker = threading.Thread(
            target=self.prefetch, args=(vocabulary,), name="word-prefetch", daemon=True
        )
        # onnxruntime aborts the process if the interpreter exits while it runs in a thread.
        atexit.register(self.stop_prefetch, worker)
        worker.start()

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
