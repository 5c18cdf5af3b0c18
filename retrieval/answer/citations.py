"""Citations: made in one place, and checked against the file's lines before anyone sees them."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.ingest.corpus import read_lines
from retrieval.types import Citation, Passage

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


def cite(n: int, passage: Passage, indexes: Sequence[int]) -> Citation:
    """Citation `n`: the passage's text from the first to the last of its sentences `indexes`."""
    first, last = passage.sentences[min(indexes)], passage.sentences[max(indexes)]
    quote = passage.text[first.start : last.end]
    return Citation(n, passage.source, first.line_start, last.line_end, quote, passage.url)


# A claim and, for each passage that supports it, (passage, index of the supporting sentence).
Claim = tuple[str, Sequence[tuple[Passage, int]]]


def compose(claims: Sequence[Claim], per_sentence: bool = False) -> tuple[str, list[Citation]]:
    """The claims as text with [n] markers, numbered by first use, and one citation per passage.

    A marker follows each claim (`per_sentence`) or each run of claims with the same sources;
    a passage's citation quotes it from its first to its last supporting sentence.
    """
    parts, citations = compose_parts(claims, per_sentence)
    return joined(parts), citations


def joined(parts: Sequence[str]) -> str:
    """The parts with a space between them, except before a part that starts its own line."""
    text = "".join(
        part if not position or part.startswith("\n") else " " + part
        for position, part in enumerate(parts)
    )
    return text.lstrip("\n")  # an answer that opens with code or a list item opens with it


def compose_parts(
    claims: Sequence[Claim], per_sentence: bool = False
) -> tuple[list[str], list[Citation]]:
    """`compose`, one string per claim (without its marker when the next has the same sources)."""
    numbers: dict[str, int] = {}
    used: dict[str, tuple[Passage, list[int]]] = {}
    markers: list[list[int]] = []
    for _, support in claims:
        own = []
        for passage, index in support:
            n = numbers.setdefault(passage.id, len(numbers) + 1)
            used.setdefault(passage.id, (passage, []))[1].append(index)
            own.append(n) if n not in own else None
        markers.append(own)
    parts = []
    for position, (text, _) in enumerate(claims):
        following = markers[position + 1] if position + 1 < len(claims) else None
        ends_run = per_sentence or following != markers[position]
        parts.append(text + ("".join(f" [{n}]" for n in markers[position]) if ends_run else ""))
    citations = [cite(numbers[pid], *used[pid]) for pid in numbers]
    return parts, citations


@dataclass(frozen=True)
class Gated:
    """Text and citations after the gate: sentences whose quote failed are gone."""

    text: str
    citations: tuple[Citation, ...]
    checked: int
    rejected: int

    @property
    def stats(self) -> dict[str, int]:
        return {"citations_checked": self.checked, "citations_rejected": self.rejected}


class CitationGate:
    """The one gate for answers and summaries: a claim whose quote is not verbatim is dropped."""

    def __init__(self, lines: CorpusLines) -> None:
        self.lines = lines

    def check(self, text: str, citations: Sequence[Citation]) -> Gated:
        """`text` (sentences ending in [n] markers) without the sentences of rejected citations."""
        verified, rejected = self.lines.check(list(citations))
        if rejected:
            bad = {c.n for c in rejected}
            text = "".join(_without(part, bad) for part in cited_sentences(text))
            # What now comes first loses the space before it, or the line break before its code.
            text = text[1:] if text.startswith("\n") else text.lstrip(" ")
        return Gated(text, tuple(verified), len(citations), len(rejected))


_CITED = re.compile(r".*?\[\d+\](?:[ \t]*\[\d+\])*", re.DOTALL)
_MARKER = re.compile(r"[ \t]*\[(\d+)\]")
_ENDS_IN_MARKER = re.compile(r"\[\d+\]$")


def cited_sentences(text: str) -> list[str]:
    """The text cut after each run of markers: one cited sentence (or run) per part, each with
    the space or line break that came before it."""
    return _CITED.findall(text)


def _without(part: str, bad: set[int]) -> str:
    """The part without the markers of rejected citations; empty when none is left."""
    part = _MARKER.sub(lambda m: "" if int(m.group(1)) in bad else m.group(), part)
    return part if _ENDS_IN_MARKER.search(part) else ""
