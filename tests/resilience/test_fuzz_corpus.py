"""Hostile corpus files: read, cut, indexed and quoted without a crash or a wrong quote."""

from __future__ import annotations

import tempfile
from pathlib import Path

import chromadb
import hypothesis.strategies as st
from hypothesis import HealthCheck, assume, event, given, settings
from langchain_core.embeddings import DeterministicFakeEmbedding

from retrieval.assembly import assemble
from retrieval.errors import CorpusError, QuestionError
from retrieval.index.store import Store
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import read_corpus
from retrieval.service import SeedService
from retrieval.settings import Settings
from tests.resilience.chroma_server import chroma_settings
from tests.resilience.hostile import MARKER, hostile_lines
from tests.resilience.invariants import assert_quotes_verbatim

SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
names = st.sampled_from(["a.txt", "b.md", "c.markdown", "sub/d.txt", ".hidden.txt", "e.bin"])
encoded = hostile_lines().flatmap(
    lambda text: st.sampled_from(
        [
            text.encode("utf-8", "surrogatepass"),  # lone surrogates: invalid UTF-8
            text.encode("utf-8", "replace"),
            b"\xef\xbb\xbf" + text.encode("utf-8", "replace"),  # a BOM
            text.replace("\n", "\r\n").encode("utf-8", "replace"),
            text.encode("utf-16", "surrogatepass"),  # NUL bytes
        ]
    )
)
contents = st.one_of(
    encoded,
    st.binary(max_size=300),
    st.integers(1, 60_000).map(lambda n: (b"word" * n)[:n]),  # one huge line, no space
    st.integers(1, 3000).map(lambda n: ("Long line with [99] words. " * n).encode()),
)
corpora = st.dictionaries(names, contents, min_size=1, max_size=4)


def write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=SLOW)
@given(files=corpora)
def test_any_folder_is_read_and_cut_verbatim_or_refused_clearly(tmp_path, files):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    write(folder, files)
    try:
        scan = read_corpus(folder)
    except CorpusError as exc:
        assert "no readable" in str(exc)
        return
    seen = {doc.source for doc in scan.documents} | {source for source, _ in scan.skipped}
    assert all(why for _, why in scan.skipped)
    assert seen <= {n for n in files if not n.startswith(".")}
    texts = {doc.source: doc for doc in scan.documents}
    chunks = chunk_corpus(scan.documents, 600)
    assert len({c.id for c in chunks}) == len(chunks)
    for chunk in chunks:
        doc = texts[chunk.source]
        assert doc.text[chunk.start : chunk.start + len(chunk.text)] == chunk.text
        assert chunk.text in doc.lines(chunk.line_start, chunk.line_end)
        for n, sentence in enumerate(chunk.sentences):
            lines = doc.lines(sentence.line_start, sentence.line_end)
            assert chunk.sentence_text(n) in lines


def service_over(folder: Path, store: Path) -> SeedService:
    client = chromadb.PersistentClient(str(store), settings=chroma_settings())
    embedder = DeterministicFakeEmbedding(size=384)
    return assemble(Settings(corpus_dir=folder, store_dir=store), Store(client), embedder)


@settings(max_examples=25, deadline=None, suppress_health_check=SLOW)
@given(files=st.dictionaries(names, encoded, min_size=1, max_size=3), data=st.data())
def test_a_hostile_corpus_is_indexed_and_quoted_verbatim(tmp_path, files, data):
    base = Path(tempfile.mkdtemp(dir=tmp_path))
    write(base / "corpus", files)
    service = service_over(base / "corpus", base / "store")
    try:
        service.refresh()
    except CorpusError:
        assume(False)  # nothing readable: covered by the test above
    try:
        for doc in read_corpus(base / "corpus").documents:
            question = data.draw(st.sampled_from(doc.text.split("\n")))
            _ask_and_check(service, question)
            summary = service.summarize(document=doc.source)
            assert_quotes_verbatim(base / "corpus", summary.citations)
    finally:
        service.store.client.close()


def _ask_and_check(service: SeedService, question: str) -> None:
    try:
        answer = service.ask(question)
    except QuestionError:
        return
    event("answered with citations" if answer.citations else "refused")
    assert_quotes_verbatim(service.settings.corpus_dir, answer.citations)
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.text
    # A corpus sentence may itself contain "[7]": only the real markers may be numbered ones
    # that the answer adds, so every marker is a citation's or lies inside a quoted sentence.
    quoted = " ".join(" ".join(c.quote.split()) for c in answer.citations)
    for n in MARKER.findall(answer.text):
        assert int(n) in {c.n for c in answer.citations} or f"[{n}]" in quoted
