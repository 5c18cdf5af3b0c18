"""A damaged or deleted embedded store: a message naming the fix, and `seedbot index` fixes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import chromadb
import pytest

from retrieval.errors import StoreError
from retrieval.index.store import POINTER_COLLECTION, Store, make_client
from retrieval.service import SeedService
from tests.conftest import make_service
from tests.resilience.chroma_server import chroma_settings
from tests.resilience.invariants import assert_citations_verbatim, assert_index_matches
from tests.resilience.processes import run_seedbot, seedbot_env

QUESTION = "What happened with the o1 series?"


def build_index(settings, embedder) -> None:
    with chromadb.PersistentClient(str(settings.store_dir), settings=chroma_settings()) as client:
        make_service(settings, embedder, client).refresh()


def garbage_database(folder: Path) -> None:
    (folder / "chroma.sqlite3").write_bytes(b"this is not a database\x00" * 4096)


def truncated_database(folder: Path) -> None:
    database = folder / "chroma.sqlite3"
    database.write_bytes(database.read_bytes()[: database.stat().st_size // 4])


def folder_is_a_file(folder: Path) -> None:
    shutil.rmtree(folder)
    folder.write_text("oops")


def folder_deleted(folder: Path) -> None:
    shutil.rmtree(folder)


def pointer_damaged(folder: Path) -> None:
    with chromadb.PersistentClient(str(folder), settings=chroma_settings()) as client:
        client.get_collection(POINTER_COLLECTION).modify(metadata={"name": "seedbot_v1"})


def live_collections_deleted(folder: Path) -> None:
    with chromadb.PersistentClient(str(folder), settings=chroma_settings()) as client:
        live = Store(client).active()
        client.delete_collection(live.chunks)
        client.delete_collection(live.sentences)


DAMAGE = [
    garbage_database,
    truncated_database,
    folder_is_a_file,
    folder_deleted,
    pointer_damaged,
    live_collections_deleted,
]


@pytest.mark.parametrize("damage", DAMAGE, ids=[d.__name__ for d in DAMAGE])
def test_damage_is_reported_with_its_fix_and_index_rebuilds(settings, embedder, damage):
    build_index(settings, embedder)
    damage(settings.store_dir)
    with pytest.raises(StoreError, match="`seedbot index`"):
        _ask_once(settings, embedder)
    # What `seedbot index` does: it may move a folder it cannot open aside, then rebuilds.
    with make_client(settings, recover=True) as client:
        service = SeedService(settings, Store(client), embedder)
        service.refresh()
        assert_index_matches(service.store, settings.corpus_dir)
        assert_citations_verbatim(settings.corpus_dir, service.ask(QUESTION))
    assert _ask_once(settings, embedder).citations


def _ask_once(settings, embedder):
    """Open the store as a freshly started process would, ask, and close it again."""
    client = make_client(settings)
    try:
        return SeedService(settings, Store(client), embedder).ask(QUESTION)
    finally:
        client.close()


@pytest.mark.slow
def test_the_cli_names_the_fix_and_seedbot_index_rebuilds_a_damaged_folder(
    settings, embedder, tmp_path
):
    build_index(settings, embedder)
    garbage_database(settings.store_dir)
    env = seedbot_env(corpus_dir=settings.corpus_dir, store_dir=settings.store_dir)
    failed = run_seedbot(["ask", QUESTION], env, tmp_path)
    assert failed.returncode == 2
    assert "cannot be opened" in failed.stderr and "Run `seedbot index`" in failed.stderr
    rebuilt = run_seedbot(["index"], env, tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "passages: " in rebuilt.stdout and "moved to" in rebuilt.stderr
    kept = list(tmp_path.glob("store.damaged-*"))
    assert len(kept) == 1 and (kept[0] / "chroma.sqlite3").exists(), "nothing is deleted"
    answered = run_seedbot(["ask", "--json", QUESTION], env, tmp_path)
    assert answered.returncode == 0 and '"refused": false' in answered.stdout
