"""Chunking in O(changes): a refresh that reuses cached cuts must agree with cutting everything."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.index.chunkcache import chunk_documents
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import Document

# Few distinct paragraphs, so files share some: copies, and passages merged across files.
PARAGRAPHS = [
    "Alpha beta gamma.",
    "Delta is here. Epsilon too.",
    "Zeta eta theta iota.",
    "Kappa lambda mu.",
    "Nu xi omicron pi rho.",
]
# Joined by a blank line, a line break or a space: the same sentences grouped into different
# paragraphs make the same passage text from different paragraphs (merged into one record).
piece = st.tuples(st.sampled_from(PARAGRAPHS), st.sampled_from(["\n\n", "\n", " "]))
file_text = st.lists(piece, min_size=1, max_size=6).map(lambda ps: "".join(p + s for p, s in ps))
corpus = st.lists(file_text, min_size=1, max_size=5)


def documents(texts: list[str], gone: int | None = None) -> list[Document]:
    """A file per text, named by its place; the file at `gone` left out (deleted)."""
    return [Document(f"f{n}.txt", text) for n, text in enumerate(texts) if n != gone]


def records(passages) -> set:
    return {(p.id, p.source, p.line_start, p.line_end, tuple(p.duplicates)) for p in passages}


@settings(max_examples=150, deadline=None)
@given(corpus, st.data())
def test_reused_cuts_agree_with_cutting_everything(tmp_path_factory, texts, data):
    cache = tmp_path_factory.mktemp("chunks") / "chunks.npz"
    first = chunk_documents(documents(texts), 60, cache)
    changed = list(texts)
    where = data.draw(st.integers(0, len(texts) - 1))
    changed[where] = data.draw(file_text)
    if data.draw(st.booleans()):
        changed.append(data.draw(file_text))
    # A file deleted: the files it shared passage texts with lose a member of their group.
    gone = data.draw(st.one_of(st.none(), st.integers(0, len(changed) - 1)))
    docs = documents(changed, gone) or documents(changed)
    again = chunk_documents(docs, 60, cache, first.documents)
    scratch = chunk_documents(docs, 60)  # no cache, nothing to reuse: every file cut
    assert again.documents == scratch.documents
    assert again.total == scratch.total == len(chunk_corpus(docs, 60))
    # What was cut again is exactly what the full cut says of those files.
    cut = {p.source for p in again.passages}
    assert records(again.passages) == {r for r in records(scratch.passages) if r[1] in cut}
    # Every file whose records differ from before was cut again.
    before = {s: d["digest"] for s, d in first.documents.items()}
    moved = {
        s for s, d in scratch.documents.items() if before.get(s) != d["digest"] and d["chunks"]
    }
    assert moved <= cut


def test_nothing_changed_cuts_nothing(tmp_path):
    docs = documents(["Alpha beta gamma.\n\nKappa lambda mu.", "Alpha beta gamma."])
    cache = tmp_path / "chunks.npz"
    first = chunk_documents(docs, 600, cache)
    again = chunk_documents(docs, 600, cache, first.documents)
    assert again.passages == []
    assert again.documents == first.documents
    assert again.total == len(chunk_corpus(docs))


def test_a_damaged_cache_only_costs_a_full_cut(tmp_path):
    docs = documents(["Alpha beta gamma.", "Kappa lambda mu."])
    cache = tmp_path / "chunks.npz"
    first = chunk_documents(docs, 600, cache)
    cache.write_bytes(b"not a zip file")
    again = chunk_documents(docs, 600, cache, first.documents)
    assert records(again.passages) == records(chunk_corpus(docs))
    assert again.documents == first.documents


def test_a_new_passage_size_cuts_every_file_again(tmp_path):
    docs = documents(["Alpha beta gamma.\n\nKappa lambda mu.", "Delta is here. Epsilon too."])
    cache = tmp_path / "chunks.npz"
    small = chunk_documents(docs, 20, cache)
    chunk_documents(docs, 600, cache)  # the cache now holds the 600-character cut
    again = chunk_documents(docs, 600, cache, small.documents)  # live: the 20-character one
    assert records(again.passages) == records(chunk_corpus(docs, 600))


@settings(max_examples=150, deadline=None)
@given(corpus, corpus, st.data())
def test_a_cache_ahead_of_the_live_version_is_not_taken_for_it(
    tmp_path_factory, old_texts, new_texts, data
):
    """A refresh killed after saving the cache: the live statistics are older than the cache."""
    cache = tmp_path_factory.mktemp("chunks") / "chunks.npz"
    live = chunk_documents(documents(old_texts), 60, cache).documents
    if data.draw(st.booleans()):  # the killed refresh deleted a file, or added one
        gone = data.draw(st.integers(0, len(old_texts)))
        docs = documents(old_texts, gone) or documents(old_texts + new_texts[:1])
    else:
        docs = documents(new_texts)
    chunk_documents(docs, 60, cache)  # the killed refresh: cache saved, never went live
    again = chunk_documents(docs, 60, cache, live)
    assert again.documents == chunk_documents(docs, 60).documents
    assert records(again.passages) == {
        r for r in records(chunk_corpus(docs, 60)) if r[1] in {p.source for p in again.passages}
    }
