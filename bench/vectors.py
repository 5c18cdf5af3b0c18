"""Sentence vectors of the large corpora, cached on disk so that reruns skip the model.

Embedding 100,000 passages of documentation takes about an hour on two cores: the
chunker ends a sentence at every line break, so hard-wrapped text gives some ten
"sentences" per passage. Vectors are keyed by the sentence text's hash and the embedder's
name, stored as float16 in shards that are appended as work proceeds, so an interrupted
run resumes where it stopped.

    python -m bench.vectors --passages 100000 --minutes 90   # fill the cache in the background
    python -m bench.vectors --passages 10000 --eval-first    # eval/'s corpora first (corpora.py)
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import time
from pathlib import Path

import numpy as np

from bench import corpora
from retrieval.index.embedder import MiniLMEmbeddings
from retrieval.ingest.markup import plain
from retrieval.types import Passage as Chunk

log = logging.getLogger(__name__)

SHARD_SENTENCES = 16_384  # written at once: an interrupted run loses at most this much work
BLOCK = 2_048  # embedded at once; sorted by length inside, so padding stays small


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def sentence_texts(chunks: list[Chunk]) -> list[str]:
    """What the indexer embeds of each sentence: its text without inline markup."""
    return [plain(c.sentence_text(i)) for c in chunks for i in range(len(c.sentences))]


class VectorCache:
    """Sentence vectors by text hash, in shards under bench/.cache/vectors/<embedder>/."""

    def __init__(self, embedder_name: str, root: Path = corpora.CACHE / "vectors") -> None:
        self.folder = root / embedder_name
        self.folder.mkdir(parents=True, exist_ok=True)
        self._rows: dict[str, tuple[int, int]] = {}
        self._shards: list[np.ndarray] = []
        for path in sorted(self.folder.glob("shard-*.npz")):
            self._load(path)

    def _load(self, path: Path) -> None:
        with np.load(path) as data:
            keys, vectors = data["keys"], data["vectors"]
        shard = len(self._shards)
        self._shards.append(vectors)
        self._rows.update((str(k), (shard, row)) for row, k in enumerate(keys))

    def __len__(self) -> int:
        return len(self._rows)

    def missing(self, texts: list[str]) -> list[str]:
        """Texts with no cached vector, each once, in their first order."""
        seen: set[str] = set()
        out = []
        for text in texts:
            k = key(text)
            if k not in self._rows and k not in seen:
                seen.add(k)
                out.append(text)
        return out

    def get(self, texts: list[str]) -> np.ndarray:
        """Vectors of `texts` as float32 rows (KeyError when one is not cached)."""
        rows = [self._rows[key(t)] for t in texts]
        out = np.empty((len(texts), self._shards[0].shape[1] if self._shards else 384), np.float32)
        for i, (shard, row) in enumerate(rows):
            out[i] = self._shards[shard][row]
        return out

    def get_or_stand_in(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Vectors of `texts`, and which are real (cached) rather than stand-ins.

        A sentence the cache lacks gets the vector of a cached sentence picked by its
        text's hash: a real vector of real text, just not its own. Only used where the
        cold embedding has not finished; the report counts them.
        """
        keys = [key(t) for t in texts]
        real = np.array([k in self._rows for k in keys], dtype=bool)
        absent = {keys[i] for i in np.flatnonzero(~real)}
        if absent:
            everything = list(self._rows.values())
            for k in absent:
                self._rows[k] = everything[int(k, 16) % len(everything)]
        try:
            return self.get(texts), real
        finally:
            for k in absent:
                del self._rows[k]

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        path = self.folder / f"shard-{time.time_ns()}.npz"
        keys = np.array([key(t) for t in texts])
        tmp = self.folder / f"partial-{path.name}"
        np.savez(tmp, keys=keys, vectors=vectors.astype(np.float16))
        tmp.rename(path)  # a shard is whole or absent, even when the run is killed
        self._load(path)


def fill(cache: VectorCache, texts: list[str], embedder, deadline: float) -> int:
    """Embed the uncached texts in order until done or past `deadline`; returns how many."""
    todo = cache.missing(texts)
    log.info("%d of %d sentence texts to embed", len(todo), len(set(texts)))
    done, started = 0, time.monotonic()
    for start in range(0, len(todo), SHARD_SENTENCES):
        if time.monotonic() > deadline:
            log.warning("time is up: %d sentences left to embed", len(todo) - done)
            break
        part = todo[start : start + SHARD_SENTENCES]
        vectors = np.concatenate(
            [embedder.embed_array(part[i : i + BLOCK]) for i in range(0, len(part), BLOCK)]
        )
        cache.put(part, vectors)
        done += len(part)
        rate = done / (time.monotonic() - started)
        log.info("embedded %d/%d sentences (%.0f/s)", done, len(todo), rate)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--minutes", type=float, default=120.0)
    parser.add_argument(
        "--eval-first", action="store_true", help="eval/'s corpora right after the seeds"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    deadline = time.monotonic() + args.minutes * 60
    corpora.ensure_packages()
    documents = corpora.source_documents(args.eval_first)
    chunks = corpora.chunks_for(args.passages, documents)[: args.passages]
    log.info("%d passages", len(chunks))
    embedder = MiniLMEmbeddings()
    fill(VectorCache(embedder.name), sentence_texts(chunks), embedder, deadline)


if __name__ == "__main__":
    main()
