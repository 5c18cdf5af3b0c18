"""Shared fixtures: real Chroma, the real offline embedder, and the seed corpus in a temp folder."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from retrieval.index.embedder import MiniLMEmbeddings
from retrieval.index.store import Store
from retrieval.service import SeedService
from retrieval.settings import Settings

pytest_plugins = ["tests.discord_double.fixtures"]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbeddings:
    """The real shipped model: deterministic, offline, and quick to load (0.3 s)."""
    return MiniLMEmbeddings()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the seed corpus that a test may edit."""
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(
        corpus_dir=corpus, store_dir=tmp_path / "store", feedback_db=tmp_path / "feedback.sqlite3"
    )


def make_service(settings: Settings, embedder, client=None, **changes) -> SeedService:
    """A service on a real Chroma: an embedded store in `settings.store_dir` unless given one."""
    settings = replace(settings, **changes)
    if client is None:
        client = chromadb.PersistentClient(
            path=str(settings.store_dir), settings=ChromaSettings(anonymized_telemetry=False)
        )
    return SeedService(settings, Store(client), embedder)


@pytest.fixture
def service(settings: Settings, embedder) -> SeedService:
    """A service over a fresh index of the seed corpus copy."""
    built = make_service(settings, embedder)
    built.refresh()
    return built


@pytest.fixture(scope="session")
def seed_service(tmp_path_factory, embedder) -> SeedService:
    """One read-only index of the seed corpus for the whole session (tests must not edit it)."""
    base = tmp_path_factory.mktemp("seed")
    folder = base / "corpus"
    shutil.copytree(SEEDS, folder)
    built = make_service(Settings(corpus_dir=folder, store_dir=base / "store"), embedder)
    built.refresh()
    return built
