"""Read the corpus folder into documents, each kept verbatim so every quote can be checked."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from retrieval.errors import CorpusChangedError, CorpusError
from retrieval.ingest.filestamps import Seen, Stat

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md", ".markdown", ".rst")
MAX_FILE_BYTES = 50 * 1024 * 1024
_URL_LINE = re.compile(r"^(?:source|url)\s*:\s*(https?://\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Document:
    """One corpus file: its path relative to the corpus folder and its text (newlines as \\n)."""

    source: str
    text: str
    url: str = ""

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def line_of(self, offset: int) -> int:
        """The 1-based line number that holds character `offset` (a bisection: big files)."""
        return bisect_right(self._line_starts, offset)

    def lines(self, first: int, last: int) -> str:
        """Lines `first`..`last` (1-based, inclusive), joined by newlines."""
        return "\n".join(self.text.split("\n")[first - 1 : last])


class UnreadDocument(Document):
    """A file unchanged since it was last read: its digest is known, its text read if asked."""

    def __init__(self, source: str, path: str, sha256: str) -> None:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "path", path)
        self.__dict__["sha256"] = sha256

    @cached_property
    def text(self) -> str:
        text, why = _read_text(Path(self.path))
        # Edited since the scan: its digest, and whatever was decided from it, is stale.
        if why or Document(self.source, text).sha256 != self.sha256:
            raise CorpusChangedError(f"{self.source} changed while the corpus was read.")
        return text

    @cached_property
    def url(self) -> str:
        return _url_of(self.text)


@dataclass
class CorpusScan:
    """The readable documents of a corpus, and what was skipped with the reason why."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seen: dict[str, Seen] = field(default_factory=dict)  # stats a later scan may trust


def read_corpus(
    folder: Path,
    known: Mapping[str, Seen] | None = None,
    clock: Callable[[], int] = time.time_ns,
) -> CorpusScan:
    """Read every .txt, .md and .rst file under `folder`; skip hidden, binary, non-UTF-8 ones.

    A file whose stat is the one `known` recorded is not read: its document's text is read
    only if asked for (retrieval/ingest/filestamps.py says why that is safe).
    """
    if not folder.is_dir():
        raise CorpusError(f"Corpus folder {folder} does not exist (set CORPUS_DIR).")
    scan, known, started = CorpusScan(), known or {}, clock()
    for source, path, stat in sorted(_corpus_files(str(folder)), key=lambda f: f[0].split("/")):
        seen = known.get(source)
        if seen is not None and seen.stat == stat:
            scan.documents.append(UnreadDocument(source, path, seen.sha256))
            scan.seen[source] = seen
            continue
        text, why = _read_text(Path(path))
        if why:
            log.warning("skipped %s: %s", source, why)
            scan.skipped.append((source, why))
        elif text.strip():
            document = Document(source, text, _url_of(text))
            scan.documents.append(document)
            if stat.settled(started):
                scan.seen[source] = Seen(stat, document.sha256)
        else:
            scan.skipped.append((source, "empty file"))
    if not scan.documents:
        raise CorpusError(f"Corpus folder {folder} has no readable .txt, .md or .rst files.")
    return scan


def _corpus_files(folder: str, prefix: str = "") -> Iterator[tuple[str, str, Stat]]:
    """(source, path, stat) of each corpus file: no hidden part, no link, followed or listed."""
    try:
        entries = list(os.scandir(folder))
    except PermissionError:  # as Path.rglob does: an unreadable folder is passed over
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _corpus_files(entry.path, f"{prefix}{entry.name}/")
        elif entry.is_file(follow_symlinks=False) and _suffix(entry.name) in SUFFIXES:
            stat = Stat.of(entry.stat(follow_symlinks=False))
            yield f"{prefix}{entry.name}", entry.path, stat


def _suffix(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _read_text(path: Path) -> tuple[str, str]:
    """The file's text with universal newlines, or an empty text and why it was not read."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return "", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
    data = path.read_bytes()
    if b"\x00" in data:
        return "", "binary file (contains NUL bytes)"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return "", f"not UTF-8 (byte {exc.start}); save it as UTF-8"
    return text.replace("\r\n", "\n").replace("\r", "\n"), ""


def _url_of(text: str) -> str:
    """A `Source: https://...` or `URL: ...` line among the first lines names the document's URL."""
    for line in text.split("\n", 5)[:5]:
        match = _URL_LINE.match(line.strip())
        if match:
            return match.group(1)
    return ""


def read_lines(folder: Path, source: str, first: int, last: int) -> str | None:
    """Lines of a corpus file as `read_corpus` reads them, or None if the file is unreadable."""
    path = folder / source
    if not path.is_file():
        return None
    text, why = _read_text(path)
    return None if why else Document(source, text).lines(first, last)
