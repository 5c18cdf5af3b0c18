"""Fixtures for resilience tests: a real `chroma run` server and a store in either mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import chromadb
import pytest

from tests.resilience.chroma_server import ChromaServer, chroma_settings


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> Iterator[ChromaServer]:
    """One real Chroma server for the session on 127.0.0.1; tests take their own database."""
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "data").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A private server for a test that stops, freezes or restarts it."""
    server = ChromaServer(tmp_path / "chroma-data").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def default_database(chroma_server: ChromaServer) -> ChromaServer:
    """The shared server with its default database emptied: for processes set up by env alone."""
    chroma_server.clear_default_database()
    return chroma_server


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store_mode(request) -> str:
    return request.param


@pytest.fixture
def chroma_client(store_mode: str, tmp_path: Path, request):
    """A real Chroma client: an embedded store in a temp folder, or a fresh server database."""
    if store_mode == "embedded":
        client = chromadb.PersistentClient(path=str(tmp_path / "store"), settings=chroma_settings())
    else:
        server = request.getfixturevalue("chroma_server")
        client = server.client(database=server.new_database())
    yield client
    client.close()
