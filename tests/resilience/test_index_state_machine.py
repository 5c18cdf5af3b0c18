"""The index always equals the corpus as it was at the last successful refresh.

A hypothesis `RuleBasedStateMachine` in the style of Chroma's own property tests
(chromadb/test/property/test_embeddings.py, test_persist.py): files are added, edited and
deleted, refreshes succeed or die midway, the store is reopened, questions are asked, and
after every step the live version must hold exactly the passages of the last corpus a
refresh completed on, with nothing left over but the version it replaced.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

from retrieval.errors import CorpusError, IndexMissingError
from retrieval.index.store import Store
from retrieval.service import SeedService
from retrieval.settings import Settings
from tests.resilience.invariants import (
    assert_citations_verbatim,
    assert_no_debris,
    assert_version_holds,
    expected_chunks,
)

WORDS = (
    "amber basil cedar delta ember fjord garnet harbor indigo juniper kestrel lantern "
    "meadow nectar orchid pepper quartz raven saffron thistle umber violet willow yarrow "
    "zephyr anchor beacon copper dune echo falcon glacier"
).split()
sentences = st.lists(st.sampled_from(WORDS), min_size=3, max_size=9).map(
    lambda words: " ".join(words).capitalize() + "."
)
paragraphs = st.lists(sentences, min_size=1, max_size=3).map(" ".join)
file_texts = st.lists(paragraphs, min_size=1, max_size=4).map(lambda ps: "\n\n".join(ps) + "\n")
file_names = st.sampled_from(["a.txt", "b.md", "notes/c.txt", "d.txt"])


class DyingEmbeddings(Embeddings):
    """The test embedder under the same name, failing on its first batch: a refresh that dies."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner, self.name = inner, type(inner).__name__

    def embed_documents(self, texts):
        raise RuntimeError("embedder died mid-refresh")

    def embed_query(self, text):
        return self.inner.embed_query(text)


class IndexMachine(RuleBasedStateMachine):
    def __init__(self, root: Path, connect, embedder: Embeddings) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(dir=root))
        self.corpus = self.root / "corpus"
        self.snapshot = self.root / "indexed"  # the corpus as the last good refresh saw it
        self.corpus.mkdir()
        self.embedder = embedder
        self.open_client = connect()
        self.settings = Settings(corpus_dir=self.corpus, store_dir=self.root / "store")
        self.indexed: dict[str, str] | None = None
        self.client = None
        self.reopen()

    def service(self, embedder: Embeddings | None = None) -> SeedService:
        return SeedService(self.settings, Store(self.client), embedder or self.embedder)

    def on_disk(self) -> dict[str, str]:
        return {
            p.relative_to(self.corpus).as_posix(): p.read_text(encoding="utf-8")
            for p in self.corpus.rglob("*")
            if p.is_file()
        }

    @initialize(name=file_names, text=file_texts)
    def first_file(self, name: str, text: str) -> None:
        self.write_file(name, text)

    @rule(name=file_names, text=file_texts)
    def write_file(self, name: str, text: str) -> None:
        path = self.corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    @precondition(lambda self: self.on_disk())
    @rule(data=st.data(), text=paragraphs)
    def insert_paragraph(self, data, text: str) -> None:
        """Moves every passage of the file down: same text, new lines, vectors reused."""
        path = self.corpus / data.draw(st.sampled_from(sorted(self.on_disk())))
        path.write_text(f"{text}\n\n{path.read_text(encoding='utf-8')}", encoding="utf-8")

    @precondition(lambda self: self.on_disk())
    @rule(data=st.data(), name=file_names)
    def copy_file(self, data, name: str) -> None:
        """Duplicated paragraphs are indexed once, their copies remembered."""
        source = data.draw(st.sampled_from(sorted(self.on_disk())))
        self.write_file(name, (self.corpus / source).read_text(encoding="utf-8"))

    @precondition(lambda self: self.on_disk())
    @rule(data=st.data())
    def delete_file(self, data) -> None:
        name = data.draw(st.sampled_from(sorted(self.on_disk())))
        (self.corpus / name).unlink()

    @rule()
    def refresh(self) -> None:
        try:
            self.service().refresh()
        except CorpusError:
            assert not self.on_disk(), "only an empty corpus may refuse a refresh"
            return
        self._snapshot()

    @rule()
    def refresh_that_dies(self) -> None:
        try:
            self.service(DyingEmbeddings(self.embedder)).refresh()
        except (RuntimeError, CorpusError):
            return
        self._snapshot()  # nothing new to embed: the refresh could complete

    def _snapshot(self) -> None:
        self.indexed = self.on_disk()
        shutil.rmtree(self.snapshot, ignore_errors=True)
        shutil.copytree(self.corpus, self.snapshot)

    @rule()
    def reopen(self) -> None:
        """A new process: a new client on the same store."""
        if self.client is not None:
            self.client.close()
        self.client = self.open_client()

    @precondition(lambda self: self.indexed)
    @rule(data=st.data())
    def ask(self, data) -> None:
        text = data.draw(st.sampled_from(sorted(self.indexed.values())))
        question = data.draw(st.sampled_from(text.split(".")[:-1])).strip() + "?"
        answer = self.service().ask(question)
        assert_citations_verbatim(self.corpus, answer)
        retriever = self.service().retriever()
        live = expected_chunks(self.snapshot)
        for passage in retriever.search(question, self.service().embed_query(question), 6):
            assert live[passage.id].text == passage.text, "a stale or foreign passage"

    @invariant()
    def index_equals_last_refreshed_corpus(self) -> None:
        store = Store(self.client)
        if self.indexed is None:
            with pytest.raises(IndexMissingError):
                store.active()
            return
        assert_version_holds(store, store.active(), expected_chunks(self.snapshot))
        assert_no_debris(store)

    def teardown(self) -> None:
        if self.client is not None:
            self.client.close()


@pytest.fixture
def connect(store_mode, request):
    """A function that returns how to open a fresh store: each example gets its own."""
    if store_mode == "embedded":
        from tests.resilience.chroma_server import chroma_settings

        def embedded():
            import chromadb

            folder = tempfile.mkdtemp(dir=request.getfixturevalue("tmp_path"))
            return lambda: chromadb.PersistentClient(folder, settings=chroma_settings())

        return embedded
    server = request.getfixturevalue("chroma_server")

    def served():
        database = server.new_database()
        return lambda: server.client(database=database)

    return served


@pytest.mark.slow
def test_the_index_always_equals_the_last_refreshed_corpus(tmp_path, connect):
    embedder = DeterministicFakeEmbedding(size=384)  # fast; the real model is not the point
    run_state_machine_as_test(
        lambda: IndexMachine(tmp_path, connect, embedder),
        # No shrinking: on real Chroma it can outlast the test timeout; hypothesis still
        # prints the failing steps, and twelve steps are readable as they are.
        settings=settings(
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
