"""How a passage is stored: one Chroma record whose metadata are typed fields, never JSON.

Records carry the index version they were written by (`v_from`): an incremental refresh adds
records under its own stamp beside the live ones, and a reader keeps the records whose stamp
its version has committed and that its version has not deleted (see `Version.sees`). Chroma
refuses empty lists, so a passage with no copies has no copy fields at all, only `copies: 0`.

Chroma (1.5.9, chroma-core/chroma#7594) keeps a deleted collection's list fields and hands
them to a later record that reuses the row: a record can carry list fields it was never
written with. So every list field a record is read by is one it is always written with, or
is read only when the always-written `copies` count says it was written (`fields`).
"""

from __future__ import annotations

from typing import Any

from retrieval.types import Passage, SentenceSpan

# 1: sentences and copies as JSON strings, one collection pair per version; 2: no `copies`
# count (a record's foreign list fields were taken for its copies).
SCHEMA = 3
BASE = 0  # the stamp of records every version of their generation holds
PASSAGE_KEY = "passage"
STAMP_KEY = "v_from"
_SENTENCE_KEYS = ("s_start", "s_end", "s_line_start", "s_line_end")
_COPY_KEYS = ("copy_source", "copy_line_start", "copy_line_end")
COPY_SOURCE = _COPY_KEYS[0]
COPIES_KEY = "copies"  # how many copies: the copy fields are the record's own only when > 0
CODE_KEY = "s_code"  # per sentence, 1 for a line of code: see Passage.code
_FIELDS = (
    PASSAGE_KEY,
    "source",
    "line_start",
    "line_end",
    "url",
    COPIES_KEY,
    CODE_KEY,
    *_SENTENCE_KEYS,
)


def record_id(passage_id: str, stamp: int) -> str:
    """A record's id: the passage's, and the version that wrote it (the same text may move)."""
    return f"{passage_id}@{stamp}"


def passage_of(record: str) -> str:
    return record.rsplit("@", 1)[0]


def passage_metadata(passage: Passage) -> dict[str, Any]:
    """What a passage's record says about it, apart from its text and its vector."""
    meta: dict[str, Any] = {
        PASSAGE_KEY: passage.id,
        "source": passage.source,
        "line_start": passage.line_start,
        "line_end": passage.line_end,
        "url": passage.url,
        COPIES_KEY: len(passage.duplicates),
    }
    for n, key in enumerate(_SENTENCE_KEYS):
        meta[key] = [(s.start, s.end, s.line_start, s.line_end)[n] for s in passage.sentences]
    if passage.code is not None:
        meta[CODE_KEY] = list(passage.code)
    if passage.duplicates:
        for n, key in enumerate(_COPY_KEYS):
            meta[key] = [d[n] for d in passage.duplicates]
    return meta


def stored_metadata(passage: Passage, stamp: int) -> dict[str, Any]:
    return {**passage_metadata(passage), STAMP_KEY: stamp}


def fields(meta: dict[str, Any]) -> dict[str, Any]:
    """The fields a record was written with: what `passage_metadata` gave, no foreign ones."""
    out = {k: meta[k] for k in _FIELDS if k in meta}
    if meta.get(COPIES_KEY):
        out.update({k: meta[k] for k in _COPY_KEYS if k in meta})
    return out


def location(meta: dict[str, Any]) -> tuple:
    """Everything but the text: a passage whose location changed gets a new record."""
    return tuple(
        tuple(v) if isinstance(v, list) else v
        for k, v in sorted(fields(meta).items())
        if k != PASSAGE_KEY
    )


def same_cut(meta: dict[str, Any], passage: Passage) -> bool:
    """Whether the record cut its text into the passage's sentences: its sentence vectors fit
    the passage only then (a new chunker may cut the same text differently)."""
    cut = [(s.start, s.end) for s in passage.sentences]
    starts, ends = (meta.get(key, []) for key in _SENTENCE_KEYS[:2])
    return list(zip(starts, ends, strict=False)) == cut


def passage_from(text: str, meta: dict[str, Any]) -> Passage:
    """The passage a record holds (without vectors, which the retriever adds)."""
    columns = [meta[k] for k in _SENTENCE_KEYS]
    copies = [meta.get(k, []) if meta.get(COPIES_KEY) else [] for k in _COPY_KEYS]
    return Passage(
        id=meta[PASSAGE_KEY],
        source=meta["source"],
        line_start=int(meta["line_start"]),
        line_end=int(meta["line_end"]),
        text=text,
        sentences=[SentenceSpan(*row) for row in zip(*columns, strict=True)],
        url=meta.get("url", ""),
        code=_code_of(meta, len(columns[0])),
        duplicates=list(zip(*copies, strict=True)),
    )


def _code_of(meta: dict[str, Any], sentences: int) -> tuple[int, ...] | None:
    """The record's code flags; None for a record written before they were (or, as Chroma may
    hand a reused row a deleted record's list, flags that do not fit its sentences)."""
    flags = meta.get(CODE_KEY)
    return tuple(int(f) for f in flags) if flags and len(flags) == sentences else None


def stands_in(source: str) -> dict[str, Any]:
    """A `where` filter for the records of passages that stand in `source`, or a copy does."""
    copied = {"$and": [{COPIES_KEY: {"$gt": 0}}, {COPY_SOURCE: {"$contains": source}}]}
    return {"$or": [{"source": source}, copied]}
