"""The citation gate: every quote is checked against the file's lines before anyone sees it."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from retrieval.ingest.corpus import read_lines
from retrieval.types import Citation

log = logging.getLogger(__name__)


class CorpusLines:
    """Reads the cited lines from the corpus files, caching each file until it changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: dict[tuple[str, int, int, int, int], str | None] = {}
        self._lock = threading.Lock()

    def lines(self, source: str, first: int, last: int) -> str | None:
        path = self.folder / source
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (source, first, last, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if key not in self._cache:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[key] = read_lines(self.folder, source, first, last)
            return self._cache[key]

    def is_verbatim(self, citation: Citation) -> bool:
        """True when the quote stands, letter for letter, within the cited lines."""
        if not citation.quote.strip() or citation.line_start > citation.line_end:
            return False
        if "\x00" in citation.source or Path(citation.source).is_absolute():
            return False
        if ".." in Path(citation.source).parts:
            return False
        text = self.lines(citation.source, citation.line_start, citation.line_end)
        return text is not None and citation.quote in text

    def check(self, citations: list[Citation]) -> tuple[list[Citation], list[Citation]]:
        """Split citations into (verified, rejected)."""
        verified, rejected = [], []
        for citation in citations:
            (verified if self.is_verbatim(citation) else rejected).append(citation)
        for citation in rejected:
            log.warning(
                "citation rejected: %s lines %d-%d does not contain its quote",
                citation.source,
                citation.line_start,
                citation.line_end,
            )
        return verified, rejected
