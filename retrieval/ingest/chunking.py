"""Cut documents into passages on paragraph and sentence boundaries; duplicates indexed once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.ingest.corpus import Document
from retrieval.ingest.sentences import looks_wrapped, sentence_spans
from retrieval.types import Passage, SentenceSpan, passage_id

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_PARAGRAPH_END = re.compile(r"[.!?…:][\"'”’)\]*_]*$")


def _normalised(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Paragraph:
    start: int
    end: int
    sentences: list[tuple[int, int]]
    # Where exact copies stand: (source, line shift from this paragraph to the copy).
    copies: list[tuple[str, int]] = field(default_factory=list)


def chunk_corpus(documents: list[Document], chunk_chars: int = 600) -> list[Passage]:
    """Passages of every document; a paragraph seen before (in any file) is kept once."""
    first_seen: dict[str, _Paragraph] = {}
    original_doc: dict[int, Document] = {}
    kept_by_doc = []
    for doc in documents:
        kept = []
        for paragraph in _paragraphs(doc.text, looks_wrapped(doc.text)):
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
    passages: dict[str, Passage] = {}
    for doc, kept in kept_by_doc:
        for passage in _chunks_of(doc, kept, chunk_chars):
            if passage.id in passages:  # same text built from different paragraphs
                passages[passage.id].duplicates.append(
                    (passage.source, passage.line_start, passage.line_end)
                )
            else:
                passages[passage.id] = passage
    return list(passages.values())


def _paragraphs(text: str, wrapped: bool = False) -> list[_Paragraph]:
    """Blank-line separated blocks; unless the prose is hard-wrapped, further cut after lines
    that end a sentence (forum dumps put one paragraph on each line)."""
    paragraphs = []
    for block_start, block_end in _blocks(text):
        current: list[tuple[int, int]] = []
        for start, end in sentence_spans(text[block_start:block_end], wrapped):
            start, end = start + block_start, end + block_start
            current.append((start, end))
            line_ends_here = end == len(text) or text[end] == "\n"
            if not wrapped and line_ends_here and _PARAGRAPH_END.search(text[start:end]):
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


def _chunks_of(doc: Document, paragraphs: list[_Paragraph], chunk_chars: int) -> list[Passage]:
    """Greedy packing: whole paragraphs while they fit, long paragraphs cut between sentences."""
    chunks: list[Passage] = []
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
    """Where the copied part of a passage stands again: (source, first line, last line)."""
    return [
        (source, doc.line_of(sentences[0][0]) + shift, doc.line_of(sentences[-1][1] - 1) + shift)
        for (source, shift), sentences in sorted(copies.items())
    ]


def _make_chunk(doc: Document, sentences: list[tuple[int, int]], duplicates) -> Passage:
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
    )
