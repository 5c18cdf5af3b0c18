"""Read the corpus folder into documents, each kept verbatim so every quote can be checked."""

from __future__ import annotations

import hashlib
import logging
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from retrieval.errors import CorpusError

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


@dataclass
class CorpusScan:
    """The readable documents of a corpus, and what was skipped with the reason why."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def read_corpus(folder: Path) -> CorpusScan:
    """Read every .txt, .md and .rst file under `folder`; skip hidden, binary, non-UTF-8 ones."""
    if not folder.is_dir():
        raise CorpusError(f"Corpus folder {folder} does not exist (set CORPUS_DIR).")
    scan = CorpusScan()
    for path in sorted(_corpus_files(folder)):
        source = path.relative_to(folder).as_posix()
        text, why = _read_text(path)
        if why:
            log.warning("skipped %s: %s", source, why)
            scan.skipped.append((source, why))
        elif text.strip():
            scan.documents.append(Document(source, text, _url_of(text)))
        else:
            scan.skipped.append((source, "empty file"))
    if not scan.documents:
        raise CorpusError(f"Corpus folder {folder} has no readable .txt, .md or .rst files.")
    return scan


def _corpus_files(folder: Path):
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).parts
        if any(part.startswith(".") for part in relative):
            continue
        if path.suffix.lower() in SUFFIXES and path.is_file() and not path.is_symlink():
            yield path


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
