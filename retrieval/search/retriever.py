"""Hybrid search over the live index as a LangChain `BaseRetriever` that returns `Document`s.

Each `Document` carries what the later stages need in its metadata: the source, the line
span, the sentence spans and the sentence vectors, so `passage_of(document)` gives back the
`Passage` exactly. The store itself stays on raw chromadb (see retrieval/index/store.py):
LangChain's Chroma wrapper has no notion of index versions or packed sentence vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from retrieval.types import Passage, SentenceSpan


class HybridRetriever(BaseRetriever):
    """BM25 and vector rankings of the live index, fused by reciprocal rank; `k` passages."""

    live: Any  # retrieval.index.live.LiveIndex (anything with `search(question, vector, k)`)
    embed: Callable[[str], np.ndarray]
    k: int = 6

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        query_vector: np.ndarray | None = None,
    ) -> list[Document]:
        vector = self.embed(query) if query_vector is None else query_vector
        return [document_of(p) for p in self.live.search(query, vector, k or self.k)]

    def neighbour(self, passage: Passage, after: bool) -> Passage | None:
        """The passage of the same file just after (or before) `passage`, where the live
        index can say (`LiveIndex.neighbour`)."""
        find = getattr(self.live, "neighbour", None)
        return find(passage, after) if find is not None else None


def document_of(passage: Passage) -> Document:
    """The passage as a LangChain document: its text, and everything else in metadata."""
    return Document(
        id=passage.id,
        page_content=passage.text,
        metadata={
            "source": passage.source,
            "line_start": passage.line_start,
            "line_end": passage.line_end,
            "url": passage.url,
            "code": passage.code,
            "sentences": [(s.start, s.end, s.line_start, s.line_end) for s in passage.sentences],
            "duplicates": list(passage.duplicates),
            "sentence_vectors": passage.sentence_vectors,
            "vector_score": passage.vector_score,
            "keyword_score": passage.keyword_score,
            "fused_score": passage.fused_score,
        },
    )


def passage_of(document: Document) -> Passage:
    """The passage a document of this retriever stands for."""
    meta = document.metadata
    return Passage(
        id=document.id or "",
        source=meta["source"],
        line_start=meta["line_start"],
        line_end=meta["line_end"],
        text=document.page_content,
        sentences=[SentenceSpan(*s) for s in meta["sentences"]],
        url=meta["url"],
        code=meta.get("code"),
        duplicates=list(meta["duplicates"]),
        sentence_vectors=meta["sentence_vectors"],
        vector_score=meta["vector_score"],
        keyword_score=meta["keyword_score"],
        fused_score=meta["fused_score"],
    )
