"""Whether the corpus folder still matches the live index: files added, changed or removed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.ingest.corpus import read_corpus


@dataclass(frozen=True)
class Staleness:
    """Corpus files that differ from the live index, each list sorted by path."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def compare(folder: Path, indexed: Mapping[str, Mapping[str, Any]]) -> Staleness:
    """Compare the files in `folder` with the live index's `documents` (source -> {"sha256"})."""
    current = {doc.source: doc.sha256 for doc in read_corpus(folder).documents}
    return Staleness(
        added=tuple(sorted(set(current) - set(indexed))),
        changed=tuple(
            sorted(s for s in current if s in indexed and indexed[s]["sha256"] != current[s])
        ),
        removed=tuple(sorted(set(indexed) - set(current))),
    )
