"""Records never take on list fields left behind by deleted collections (chroma-core/chroma#7594).

Chroma's delete_collection leaves its records' list fields in the store, keyed by row; a
record that later reuses the row reports them as its own. Seen as a passage of one corpus
citing copies in files of another, after the server's database had been emptied.
"""

from __future__ import annotations

from retrieval.index.records import BASE, STAMP_KEY
from retrieval.index.store import Store
from tests.conftest import make_service
from tests.resilience.invariants import assert_index_matches, expected_chunks

GHOST = "ghost-of-another-corpus.txt"


def plant_ghost_fields(client, rows: int = 400) -> None:
    """Records with list fields in a collection then dropped: their fields stay behind."""
    doomed = client.create_collection("another-app-chunks")
    doomed.add(
        ids=[f"r{n}" for n in range(rows)],
        embeddings=[[1.0, float(n)] for n in range(rows)],
        metadatas=[
            {"copy_source": [GHOST], "copy_line_start": [1], "copy_line_end": [1]}
            for _ in range(rows)
        ],
    )
    client.delete_collection(doomed.name)


def test_passages_do_not_take_on_a_dropped_collections_copy_fields(settings, embedder, corpus):
    service = make_service(settings, embedder)
    plant_ghost_fields(service.store.client)
    service.refresh()
    assert_index_matches(service.store, corpus)
    retriever = service.live.current()
    expected = expected_chunks(corpus)
    for passage in retriever.load_passages(retriever.passage_ids):
        assert passage.duplicates == expected[passage.id].duplicates, passage.id
    assert retriever.passage_ids_of(GHOST) == []
    # Read back as written, so the next refresh finds every passage where it was.
    again = service.refresh()
    assert (again.added, again.updated, again.deleted) == (0, 0, 0)


def test_a_dropped_generation_leaves_no_list_fields_behind(settings, embedder, corpus):
    (corpus / "copy.txt").write_text(
        (corpus / "003_6fe5a58e943e7eb6.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    service = make_service(settings, embedder)
    service.refresh()
    store = Store(service.store.client)
    live = store.active()
    copied = {"copy_source": {"$contains": "copy.txt"}}
    assert store.collection(live.chunks).get(where=copied, include=[])["ids"]
    store.drop_version(live.generation)
    fresh = store.client.create_collection("after-the-drop")
    rows = 400
    fresh.add(
        ids=[f"r{n}" for n in range(rows)],
        embeddings=[[1.0, float(n)] for n in range(rows)],
        metadatas=[{STAMP_KEY: BASE} for _ in range(rows)],
    )
    assert all(meta == {STAMP_KEY: BASE} for meta in fresh.get()["metadatas"])
