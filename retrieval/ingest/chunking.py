"""Cut documents into passages on paragraph and sentence boundaries; duplicates indexed once."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

import numpy as np

from retrieval.ingest.corpus import Document
from retrieval.ingest.sentences import literal_lines, looks_wrapped, sentence_spans
from retrieval.types import Passage, SentenceSpan, passage_id

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_PARAGRAPH_END = re.compile(r"[.!?…:][\"'”’)\]*_]*$")


CHUNKER_VERSION = 17  # bump when the same text would be cut differently: cached cuts go stale


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _sentence_key(text: str, paragraph: _Paragraph) -> str:
    return "\x1f".join(_normalised(text[start:end]) for start, end in paragraph.sentences)


@dataclass
class _Paragraph:
    start: int
    end: int
    sentences: list[tuple[int, int]]
    code: list[int]  # per sentence, 1 for a line of a code block of the file
    # Where exact copies stand: (source, line shift from this paragraph to the copy).
    copies: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Outline:
    """A document's paragraphs as hashes and first lines: all deduplication needs of it."""

    keys: np.ndarray  # uint64 per paragraph: a hash of its whitespace-normalised text
    lines: np.ndarray  # int64 per paragraph: the line it starts on


@dataclass
class Placement:
    """What deduplication decided for one document: the paragraphs it keeps, and their copies."""

    kept: np.ndarray  # bool per paragraph: False where the text stood earlier in the corpus
    copies: dict[int, list[tuple[str, int]]]  # kept paragraph -> [(copy's source, line shift)]

    @property
    def signature(self) -> str:
        """Changes exactly when the document's passages would change for the same text."""
        digest = hashlib.sha256(np.packbits(self.kept).tobytes() + bytes([len(self.kept) % 8]))
        # Most documents have no copies: "[]" is what json.dumps gives for them, uncalled.
        digest.update(json.dumps(sorted(self.copies.items())).encode() if self.copies else b"[]")
        return digest.hexdigest()[:16]


def paragraphs_of(doc: Document) -> list[_Paragraph]:
    """The document's paragraphs, before deduplication: a function of its text alone."""
    return _paragraphs(doc.text, looks_wrapped(doc.text))


def outline(doc: Document, paragraphs: list[_Paragraph]) -> Outline:
    # A paragraph is a copy of another when it reads the same and is cut into the same
    # sentences: "Plain words\nAlpha beta." (two lines, two sentences) is no copy of "Plain
    # words Alpha beta." (one), whose sentence would otherwise be in no passage.
    keys = [
        hashlib.blake2b(_sentence_key(doc.text, p).encode(), digest_size=8).digest()
        for p in paragraphs
    ]
    return Outline(
        np.frombuffer(b"".join(keys), dtype="<u8").copy(),
        np.asarray([doc.line_of(p.start) for p in paragraphs], dtype=np.int64),
    )


def place(sources: list[str], outlines: list[Outline]) -> list[Placement]:
    """Deduplicate paragraphs across the corpus: each text is kept where it is first seen."""
    sizes = [len(o.keys) for o in outlines]
    keys = np.concatenate([o.keys for o in outlines]) if outlines else np.zeros(0, "<u8")
    lines = np.concatenate([o.lines for o in outlines]) if outlines else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(outlines)), sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    original = first[inverse.reshape(-1)]
    kept = original == np.arange(len(keys))
    placements = [Placement(kept[offsets[n] : offsets[n + 1]], {}) for n in range(len(outlines))]
    for copy in np.flatnonzero(~kept).tolist():  # in corpus order, as copies are met
        first_at = int(original[copy])
        doc = int(owner[first_at])
        shift = int(lines[copy] - lines[first_at])
        copies = placements[doc].copies.setdefault(first_at - int(offsets[doc]), [])
        copies.append((sources[int(owner[copy])], shift))
    return placements


def passages_of(
    doc: Document, paragraphs: list[_Paragraph], placement: Placement, chunk_chars: int
) -> list[Passage]:
    """The document's passages given what deduplication kept (before passage-level merging)."""
    kept = [
        _Paragraph(p.start, p.end, p.sentences, p.code, list(placement.copies.get(n, [])))
        for n, p in enumerate(paragraphs)
        if placement.kept[n]
    ]
    return _chunks_of(doc, kept, chunk_chars)


def merge(groups: list[list[Passage]]) -> list[Passage]:
    """One passage per text: the same text built from different paragraphs becomes a copy."""
    passages: dict[str, Passage] = {}
    for group in groups:
        for passage in group:
            if passage.id in passages:
                passages[passage.id].duplicates.append(
                    (passage.source, passage.line_start, passage.line_end)
                )
            else:
                passages[passage.id] = passage
    return list(passages.values())


def chunk_corpus(documents: list[Document], chunk_chars: int = 600) -> list[Passage]:
    """Passages of every document; a paragraph seen before (in any file) is kept once."""
    paragraphs = [paragraphs_of(doc) for doc in documents]
    outlines = [outline(doc, found) for doc, found in zip(documents, paragraphs)]
    placements = place([doc.source for doc in documents], outlines)
    return merge(
        [
            passages_of(doc, found, placement, chunk_chars)
            for doc, found, placement in zip(documents, paragraphs, placements)
        ]
    )


def _paragraphs(text: str, wrapped: bool = False) -> list[_Paragraph]:
    """Blank-line separated blocks; unless the prose is hard-wrapped, further cut after lines
    that end a sentence (forum dumps put one paragraph on each line)."""
    paragraphs = []
    code = literal_lines(text.split("\n"))
    first, counted_to = 0, 0  # the line number of offset `counted_to`, counted on as we go
    for block_start, block_end in _blocks(text):
        current: list[tuple[int, int]] = []
        flags: list[int] = []
        # A line of a code block is its own sentence, however the prose around it is wrapped.
        first += text.count("\n", counted_to, block_start)
        counted_to = block_start
        lines = range(first, first + text.count("\n", block_start, block_end) + 1)
        in_block = frozenset(n - first for n in lines if n in code)
        prose = wrapped and not text[block_start:block_end].lstrip().startswith(">>>")
        for start, end in sentence_spans(text[block_start:block_end], prose, in_block):
            start, end = start + block_start, end + block_start
            current.append((start, end))
            first += text.count("\n", counted_to, start)
            counted_to = start
            flags.append(int(first in code))
            line_ends_here = end == len(text) or text[end] == "\n"
            if not wrapped and line_ends_here and _PARAGRAPH_END.search(text[start:end]):
                paragraphs.append(_Paragraph(current[0][0], end, current, flags))
                current, flags = [], []
        if current:
            paragraphs.append(_Paragraph(current[0][0], current[-1][1], current, flags))
    return paragraphs


def _blocks(text: str) -> list[tuple[int, int]]:
    blocks, start = [], 0
    for match in _BLANK_LINES.finditer(text):
        blocks.append((start, match.start()))
        start = match.end()
    blocks.append((start, len(text)))
    return [(s, e) for s, e in blocks if text[s:e].strip()]


def _chunks_of(doc: Document, paragraphs: list[_Paragraph], chunk_chars: int) -> list[Passage]:
    """Greedy packing: whole paragraphs while they fit, long paragraphs cut between sentences."""
    chunks: list[Passage] = []
    group: list[tuple[int, int]] = []
    code: list[int] = []  # the group's sentences' code flags
    copies: dict[tuple[str, int], list[tuple[int, int]]] = {}  # copy -> its sentences here

    def flush() -> None:
        if group:
            chunks.append(_make_chunk(doc, group, tuple(code), _copy_spans(doc, copies)))
        group.clear()
        code.clear()
        copies.clear()

    for paragraph in paragraphs:
        if group and paragraph.end - group[0][0] > chunk_chars:
            flush()
        for sentence, flag in zip(paragraph.sentences, paragraph.code, strict=True):
            if group and sentence[1] - group[0][0] > chunk_chars:
                flush()
            group.append(sentence)
            code.append(flag)
            for copy in paragraph.copies:
                copies.setdefault(copy, []).append(sentence)
    flush()
    return chunks


def _copy_spans(doc: Document, copies) -> list[tuple[str, int, int]]:
    """Where the copied part of a passage stands again: (source, first line, last line)."""
    return [
        (source, doc.line_of(sentences[0][0]) + shift, doc.line_of(sentences[-1][1] - 1) + shift)
        for (source, shift), sentences in sorted(copies.items())
    ]


def _make_chunk(
    doc: Document, sentences: list[tuple[int, int]], code: tuple[int, ...], duplicates
) -> Passage:
    start, end = sentences[0][0], sentences[-1][1]
    spans = [
        SentenceSpan(s - start, e - start, doc.line_of(s), doc.line_of(e - 1)) for s, e in sentences
    ]
    text = doc.text[start:end]
    return Passage(
        id=passage_id(text),
        source=doc.source,
        line_start=doc.line_of(start),
        line_end=doc.line_of(end - 1),
        text=text,
        sentences=spans,
        url=doc.url,
        duplicates=duplicates,
        start=start,
        code=code,
    )
