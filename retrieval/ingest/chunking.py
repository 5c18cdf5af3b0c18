"""Cut documents into passages on paragraph and sentence boundaries; duplicates indexed once."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from retrieval.ingest.corpus import Document
from retrieval.ingest.sentences import sentence_spans

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_PARAGRAPH_END = re.compile(r"[.!?…:][\"'”’)\]*_]*$")


@dataclass(frozen=True)
class Span:
    """A stretch of a document: character offsets and the 1-based lines they cover."""

    start: int
    end: int
    line_start: int
    line_end: int


@dataclass
class Chunk:
    """A passage of one document, verbatim, with its sentences and where duplicates of it stand."""

    source: str
    span: Span
    text: str
    sentences: list[Span]  # offsets relative to `text`, lines absolute
    url: str = ""
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def id(self) -> str:
        """Content-addressed, so an unchanged passage keeps its id and its vector."""
        return hashlib.sha256(_normalised(self.text).encode("utf-8")).hexdigest()[:32]

    def sentence_text(self, index: int) -> str:
        sentence = self.sentences[index]
        return self.text[sentence.start : sentence.end]


def _normalised(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Paragraph:
    start: int
    end: int
    sentences: list[tuple[int, int]]
    # Where exact copies stand: (source, line shift from this paragraph to the copy).
    copies: list[tuple[str, int]] = field(default_factory=list)


def chunk_corpus(documents: list[Document], chunk_chars: int = 600) -> list[Chunk]:
    """Chunks of every document; a paragraph seen before (in any file) is kept once."""
    first_seen: dict[str, _Paragraph] = {}
    original_doc: dict[int, Document] = {}
    kept_by_doc = []
    for doc in documents:
        kept = []
        for paragraph in _paragraphs(doc.text):
            key = _normalised(doc.text[paragraph.start : paragraph.end])
            original = first_seen.get(key)
            if original is None:
                first_seen[key] = paragraph
                original_doc[id(paragraph)] = doc
                kept.append(paragraph)
            else:
                shift = doc.line_of(paragraph.start) - original_doc[id(original)].line_of(
                    original.start
                )
                original.copies.append((doc.source, shift))
        kept_by_doc.append((doc, kept))
    chunks: dict[str, Chunk] = {}
    for doc, kept in kept_by_doc:
        for chunk in _chunks_of(doc, kept, chunk_chars):
            if chunk.id in chunks:  # same text built from different paragraphs
                chunks[chunk.id].duplicates.append(
                    (chunk.source, chunk.span.line_start, chunk.span.line_end)
                )
            else:
                chunks[chunk.id] = chunk
    return list(chunks.values())


def _paragraphs(text: str) -> list[_Paragraph]:
    """Blank-line separated blocks, further cut after lines that end a sentence."""
    paragraphs = []
    for block_start, block_end in _blocks(text):
        current: list[tuple[int, int]] = []
        for start, end in sentence_spans(text[block_start:block_end]):
            start, end = start + block_start, end + block_start
            current.append((start, end))
            line_ends_here = end == len(text) or text[end] == "\n"
            if line_ends_here and _PARAGRAPH_END.search(text[start:end]):
                paragraphs.append(_Paragraph(current[0][0], end, current))
                current = []
        if current:
            paragraphs.append(_Paragraph(current[0][0], current[-1][1], current))
    return paragraphs


def _blocks(text: str) -> list[tuple[int, int]]:
    blocks, start = [], 0
    for match in _BLANK_LINES.finditer(text):
        blocks.append((start, match.start()))
        start = match.end()
    blocks.append((start, len(text)))
    return [(s, e) for s, e in blocks if text[s:e].strip()]


def _chunks_of(doc: Document, paragraphs: list[_Paragraph], chunk_chars: int) -> list[Chunk]:
    """Greedy packing: whole paragraphs while they fit, long paragraphs cut between sentences."""
    chunks: list[Chunk] = []
    group: list[tuple[int, int]] = []
    copies: dict[tuple[str, int], list[tuple[int, int]]] = {}  # copy -> its sentences here

    def flush() -> None:
        if group:
            chunks.append(_make_chunk(doc, group, _copy_spans(doc, copies)))
        group.clear()
        copies.clear()

    for paragraph in paragraphs:
        if group and paragraph.end - group[0][0] > chunk_chars:
            flush()
        for sentence in paragraph.sentences:
            if group and sentence[1] - group[0][0] > chunk_chars:
                flush()
            group.append(sentence)
            for copy in paragraph.copies:
                copies.setdefault(copy, []).append(sentence)
    flush()
    return chunks


def _copy_spans(doc: Document, copies) -> list[tuple[str, int, int]]:
    """Where the copied part of a chunk stands again: (source, first line, last line)."""
    return [
        (source, doc.line_of(sentences[0][0]) + shift, doc.line_of(sentences[-1][1] - 1) + shift)
        for (source, shift), sentences in sorted(copies.items())
    ]


def _make_chunk(doc: Document, sentences: list[tuple[int, int]], duplicates) -> Chunk:
    start, end = sentences[0][0], sentences[-1][1]
    spans = [Span(s - start, e - start, doc.line_of(s), doc.line_of(e - 1)) for s, e in sentences]
    span = Span(start, end, doc.line_of(start), doc.line_of(end - 1))
    return Chunk(doc.source, span, doc.text[start:end], spans, doc.url, duplicates)
