"""Chroma, embedded on disk or a server, with an app-owned pointer to the live index version.

Chroma has no collection aliases, so each refresh writes a new pair of collections
(passages and their sentences) and then flips one pointer record. Readers follow the
pointer, so a refresh that dies midway leaves the previous version answering.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import IndexMissingError, SettingsError, StoreError, StoreUnavailableError
from retrieval.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "seedbot"
POINTER_COLLECTION = f"{PREFIX}_pointer"


def make_client(settings: Settings | None = None, client: Any = None, path: Path | None = None):
    """A Chroma client: the one given, a server (CHROMA_HOST), or an embedded store on disk."""
    given = [client is not None, path is not None]
    if all(given):
        raise SettingsError("Give either a Chroma client or a store path, not both.")
    if client is not None:
        return client
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if path is None and settings is not None and settings.chroma_host:
        return _http_client(settings, chroma_settings)
    folder = path or (settings.store_dir if settings else Path(".seedbot/store"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
    except Exception as exc:  # chromadb raises bare errors for a damaged folder
        raise StoreError(
            f"The index folder {folder} cannot be opened ({type(exc).__name__}). "
            f"Delete it and run `seedbot index` to rebuild it."
        ) from exc


def _http_client(settings: Settings, chroma_settings):
    import chromadb

    headers = {}
    if settings.chroma_token:
        headers["Authorization"] = f"Bearer {settings.chroma_token.reveal()}"
    try:
        return chromadb.HttpClient(
            host=settings.chroma_host,
            port=settings.chroma_port,
            headers=headers,
            settings=chroma_settings,
        )
    except Exception as exc:
        raise StoreUnavailableError(
            f"The Chroma server at {settings.chroma_host}:{settings.chroma_port} cannot be "
            f"reached ({type(exc).__name__}); try again in a moment."
        ) from exc


@dataclass(frozen=True)
class Version:
    """One built index: its collections and what it was built from."""

    name: str
    built_at: float
    embedder: str
    fingerprint: str
    documents: dict[str, dict[str, Any]]  # source -> {"sha256", "chars", "lines", "chunks", "url"}

    @property
    def chunks(self) -> str:
        return f"{self.name}_chunks"

    @property
    def sentences(self) -> str:
        return f"{self.name}_sentences"

    def to_metadata(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "built_at": self.built_at,
            "embedder": self.embedder,
            "fingerprint": self.fingerprint,
            "documents": json.dumps(self.documents),
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> Version:
        return cls(
            meta["name"],
            float(meta["built_at"]),
            meta["embedder"],
            meta["fingerprint"],
            json.loads(meta["documents"]),
        )


def new_version_name() -> str:
    return f"{PREFIX}_v{time.time_ns()}"


class Store:
    """The collections of the index and the pointer that names the live version."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def _pointer(self):
        return self.client.get_or_create_collection(POINTER_COLLECTION)

    def active(self) -> Version:
        """The live version, or IndexMissingError when no refresh has completed yet."""
        try:
            meta = self._pointer().metadata or {}
        except Exception as exc:
            raise _as_store_error(exc) from exc
        if "name" not in meta:
            raise IndexMissingError("No index yet: run `seedbot index` (or /reindex) first.")
        return Version.from_metadata(meta)

    def activate(self, version: Version) -> None:
        """Make `version` the live one, in one write, so readers see the old or the new."""
        self._pointer().modify(metadata=version.to_metadata())

    def collection(self, name: str, create: bool = False):
        try:
            if create:
                return self.client.create_collection(name, metadata={"hnsw:space": "cosine"})
            return self.client.get_collection(name)
        except Exception as exc:
            raise _as_store_error(exc) from exc

    def drop_unused(self, keep: set[str]) -> list[str]:
        """Delete collections of versions that are not live: debris of old or killed refreshes."""
        dropped = []
        for name in self._collection_names():
            if name.startswith(f"{PREFIX}_v") and name.rsplit("_", 1)[0] not in keep:
                self.client.delete_collection(name)
                dropped.append(name)
        return dropped

    def _collection_names(self) -> list[str]:
        return [getattr(c, "name", c) for c in self.client.list_collections()]


def _as_store_error(exc: Exception) -> StoreError:
    if isinstance(exc, StoreError):
        return exc
    text = f"{type(exc).__name__}: {exc}"
    if any(word in text for word in ("Connect", "connect", "Timeout", "refused", "unavailable")):
        return StoreUnavailableError("The index is unavailable right now; try again in a moment.")
    return StoreError(f"The index cannot be read ({type(exc).__name__}). Run `seedbot index`.")
