"""What chunking costs a refresh: a full cut, and a no-change cut through the chunk cache.

    python -m bench.chunkcost FOLDER [--rounds 3]

No store is written: this is the chunking share of a refresh alone (the cache goes to a
temporary folder).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from retrieval.index.chunkcache import chunk_documents
from retrieval.ingest.corpus import read_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    documents = read_corpus(args.folder).documents
    read_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "chunks.npz"
        started = time.perf_counter()
        first = chunk_documents(documents, 600, cache)
        full_s = time.perf_counter() - started
        rounds = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            again = chunk_documents(documents, 600, cache, first.documents)
            rounds.append(round(time.perf_counter() - started, 2))
    print(
        f"{len(documents)} files, {first.total} passages: read {read_s:.2f} s, full cut "
        f"{full_s:.1f} s; no-change cut {rounds} s, files cut again "
        f"{len({p.source for p in again.passages})}"
    )


if __name__ == "__main__":
    main()
