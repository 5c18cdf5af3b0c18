"""Chroma, embedded on disk or a server, with an app-owned pointer to the live index version.

Chroma has no collection aliases, so each refresh writes a new pair of collections
(passages and their sentences) and then flips one pointer record. Readers follow the
pointer, so a refresh that dies midway leaves the previous version answering.

Every call into Chroma goes through `store_errors()`, so callers see only domain errors:
StoreUnavailableError when a server cannot be reached (retrying works), StoreError otherwise.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import (
    IndexMissingError,
    SeedbotError,
    SettingsError,
    StoreError,
    StoreUnavailableError,
)
from retrieval.index.records import BASE, SCHEMA, STAMP_KEY
from retrieval.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "seedbot"
POINTER_COLLECTION = f"{PREFIX}_pointer"
VERSION_PREFIX = f"{PREFIX}_v"
UNAVAILABLE = (
    "The index is unavailable right now (its Chroma server cannot be reached); "
    "try again in a moment."
)
REFUSED = "The Chroma server refused our credentials: check CHROMA_TOKEN."
# httpx waits forever by default in chromadb's client: a frozen server would hang every question.
HTTP_CONNECT_TIMEOUT_S = 5.0
HTTP_TIMEOUT_S = 60.0
PAGE = 5_000
# How many graph neighbours an approximate search explores (Chroma's default is 100). Above
# snapshot.EXACT_MAX passages the passage vectors are searched through Chroma's HNSW graph:
# at 10,000 MiniLM passages 400 raised its recall@1 against exact search from 0.97 to 0.99 at
# the same latency, and at 85,000 hash vectors from 0.25 to 0.40 for 4 ms more (bench/results.md).
# Chroma reads it when a collection is created; a store made before keeps its own until
# `seedbot index --force` rebuilds it.
HNSW_EF_SEARCH = 400
_HNSW = {"space": "cosine", "ef_search": HNSW_EF_SEARCH}


def make_client(
    settings: Settings | None = None,
    client: Any = None,
    path: Path | None = None,
    recover: bool = False,
):
    """A Chroma client: the one given, a server (CHROMA_HOST), or an embedded store on disk.

    With `recover`, an embedded folder that cannot be opened is moved aside and a new, empty
    one is made: what `seedbot index` wants, since it rebuilds everything anyway.
    """
    if client is not None and path is not None:
        raise SettingsError("Give either a Chroma client or a store path, not both.")
    if client is not None:
        return client
    if path is None and settings is not None and settings.chroma_host:
        return _http_client(settings)
    folder = path or (settings.store_dir if settings else Path(".seedbot/store"))
    try:
        return _persistent_client(folder)
    except Exception as exc:  # chromadb raises bare errors for a damaged folder
        if not recover:
            raise StoreError(
                f"The index folder {folder} cannot be opened ({type(exc).__name__}). Run "
                f"`seedbot index` to rebuild it (a damaged folder is moved aside to "
                f"{folder.name}.damaged-<time>, not deleted)."
            ) from exc
    return _persistent_client(_move_aside(folder))


def _persistent_client(folder: Path):
    import chromadb

    folder.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(folder), settings=_chroma_settings())
    except Exception:
        _forget_failed_system(str(folder))
        raise


def _forget_failed_system(identifier: str) -> None:
    """Drop the System chromadb 1.5 caches for a folder even when it failed to start.

    Left there, every later open of that folder in this process (such as the rebuild after
    moving a damaged folder aside) reuses the broken System and fails too.
    """
    from chromadb.api.shared_system_client import SharedSystemClient as Shared

    systems = getattr(Shared, "_identifier_to_system", None)
    refcounts = getattr(Shared, "_identifier_to_refcount", {})
    if isinstance(systems, dict) and not refcounts.get(identifier):  # no client still uses it
        systems.pop(identifier, None)


def _move_aside(folder: Path) -> Path:
    """Rename a damaged store folder out of the way (kept for inspection) and return the path."""
    damaged = folder.with_name(f"{folder.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        shutil.move(str(folder), str(damaged))
    except OSError as exc:
        raise StoreError(
            f"The index folder {folder} is damaged and cannot be moved aside ({exc.strerror}). "
            f"Delete it and run `seedbot index`."
        ) from exc
    log.warning("index folder %s was damaged: moved to %s, rebuilding", folder, damaged)
    return folder


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _http_client(settings: Settings):
    import chromadb

    headers = {}
    if settings.chroma_token:
        headers["Authorization"] = f"Bearer {settings.chroma_token.get_secret_value()}"
    host, ssl = server_address(settings.chroma_host)
    _probe(f"{'https' if ssl else 'http'}://{host}:{settings.chroma_port}", headers, settings)
    try:
        client = chromadb.HttpClient(
            host=host,
            port=settings.chroma_port,
            ssl=ssl,
            headers=headers,
            settings=_chroma_settings(),
        )
    except Exception as exc:
        raise as_store_error(exc) from None  # the cause may quote headers, so the token
    _bound_http_waits(client)
    return client


def _probe(url: str, headers: dict[str, str], settings: Settings) -> None:
    """Ask the server who we are: only its status code tells a refused token from the rest.

    chromadb reports a 401 from a proxy as a bare exception with the body as its text, and a
    proxy's body may be empty; an unreachable server gets a message naming the settings.
    """
    import httpx

    try:
        response = httpx.get(
            f"{url}/api/v2/auth/identity", headers=headers, timeout=HTTP_CONNECT_TIMEOUT_S
        )
    except httpx.HTTPError:
        raise StoreUnavailableError(
            f"The Chroma server at {settings.chroma_host}:{settings.chroma_port} cannot be "
            f"reached; start it (`chroma run`) or check CHROMA_HOST and CHROMA_PORT, then "
            f"try again."
        ) from None
    if response.status_code in (401, 403):
        raise StoreError(REFUSED)


def server_address(host: str) -> tuple[str, bool]:
    """CHROMA_HOST as a host name and whether to use TLS: `https://name` means TLS."""
    for scheme, ssl in (("https://", True), ("http://", False)):
        if host.lower().startswith(scheme):
            return host[len(scheme) :].rstrip("/"), ssl
    return host, False


def _bound_http_waits(client: Any) -> None:
    """Give the HTTP session timeouts, so a frozen server fails a question instead of hanging."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):  # a private attribute: skip quietly if it moves
        session.timeout = httpx.Timeout(HTTP_TIMEOUT_S, connect=HTTP_CONNECT_TIMEOUT_S)


def as_store_error(exc: BaseException) -> StoreError:
    """The domain error for a failed Chroma call; its message never quotes the request."""
    if isinstance(exc, StoreError):
        return exc
    if _unreachable(exc):
        return StoreUnavailableError(UNAVAILABLE)
    if _refused(exc):
        return StoreError(REFUSED)
    return StoreError(
        f"The index cannot be read ({type(exc).__name__}). Run `seedbot index` to rebuild it."
    )


def _unreachable(exc: BaseException) -> bool:
    import httpx

    if isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError):
        return True
    # chromadb turns a refused connection into ValueError("Could not connect to a Chroma server").
    return isinstance(exc, ValueError) and "Could not connect" in str(exc)


def _refused(exc: BaseException) -> bool:
    from chromadb.errors import AuthorizationError, ChromaAuthError

    if isinstance(exc, ChromaAuthError | AuthorizationError):
        return True
    # A proxy in front of `chroma run` answers 401/403 with a body chromadb raises as text.
    text = str(exc)[:200].lower()
    return "unauthorized" in text or "forbidden" in text


@contextmanager
def store_errors() -> Iterator[None]:
    """Turn whatever Chroma or its HTTP client raises into StoreError or StoreUnavailableError."""
    try:
        yield
    except SeedbotError:
        raise
    except Exception as exc:
        raise as_store_error(exc) from exc


class Collection:
    """A Chroma collection whose calls raise only StoreError and its subclasses."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.name = inner.name

    def get(self, **kwargs):
        with store_errors():
            return self._inner.get(**kwargs)

    def add(self, **kwargs) -> None:
        with store_errors():
            self._inner.add(**kwargs)

    def query(self, **kwargs):
        with store_errors():
            return self._inner.query(**kwargs)

    def count(self) -> int:
        with store_errors():
            return self._inner.count()

    def update(self, **kwargs) -> None:
        with store_errors():
            self._inner.update(**kwargs)

    def delete(self, **kwargs) -> None:
        with store_errors():
            self._inner.delete(**kwargs)


@dataclass(frozen=True)
class Version:
    """One built index: where its records are, which of them it holds, what it was built from.

    A full build writes a new pair of collections (its `generation`, named after it); an
    incremental refresh adds records to the live generation under its own stamp. A version
    holds the records whose stamp it `committed` and that it has not `deleted`.
    """

    name: str
    built_at: float
    embedder: str
    fingerprint: str
    documents: dict[str, dict[str, Any]]  # source -> {"sha256", "chars", "lines", "chunks", ...}
    generation: str = ""
    committed: tuple[int, ...] = (BASE,)
    deleted: frozenset[str] = frozenset()  # records of committed stamps it does not hold
    gone: frozenset[str] = frozenset()  # of those, the ones its previous version did not hold
    previous: str = ""  # the version it replaced in the same generation, if any
    published_at: float = 0.0  # wall-clock time it went live (0: unknown, long ago)

    def __post_init__(self) -> None:
        if not self.generation:
            object.__setattr__(self, "generation", self.name)

    @property
    def chunks(self) -> str:
        return f"{self.generation}_chunks"

    @property
    def sentences(self) -> str:
        return f"{self.generation}_sentences"

    @property
    def stamp(self) -> int:
        """The stamp of the records this version wrote: the base one for a full build."""
        return BASE if self.generation == self.name else version_time(self.name)

    def sees(self, record: str, meta: dict[str, Any]) -> bool:
        """Whether this version holds a record of its generation."""
        return meta.get(STAMP_KEY) in self.committed and record not in self.deleted

    def to_metadata(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "name": self.name,
            "built_at": self.built_at,
            "embedder": self.embedder,
            "fingerprint": self.fingerprint,
            "documents": json.dumps(self.documents),
            "generation": self.generation,
            "committed": json.dumps(list(self.committed)),
            "deleted": json.dumps(sorted(self.deleted)),
            "gone": json.dumps(sorted(self.gone)),
            "previous": self.previous,
            "published_at": self.published_at,
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, Any]) -> Version:
        if meta.get("schema") != SCHEMA:
            raise OldIndexError(meta.get("schema"))
        return cls(
            meta["name"],
            float(meta["built_at"]),
            meta["embedder"],
            meta["fingerprint"],
            json.loads(meta["documents"]),
            meta["generation"],
            tuple(int(s) for s in json.loads(meta["committed"])),
            frozenset(json.loads(meta["deleted"])),
            frozenset(json.loads(meta["gone"])),
            meta["previous"],
            float(meta.get("published_at", 0.0)),
        )


class OldIndexError(ValueError):
    """The pointer names an index written in an earlier layout: it is rebuilt, never read."""


def new_version_name() -> str:
    return f"{VERSION_PREFIX}{time.time_ns()}"


def version_time(name: str) -> int | None:
    """When a version was started (ns), from its name; None for a name that is not a version."""
    digits = name[len(VERSION_PREFIX) :] if name.startswith(VERSION_PREFIX) else ""
    return int(digits) if digits.isdigit() else None


class Store:
    """The collections of the index and the pointer that names the live version."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def _pointer(self):
        with store_errors():
            return self.client.get_or_create_collection(POINTER_COLLECTION)

    def active(self) -> Version:
        """The live version, or IndexMissingError when no refresh has completed yet."""
        meta = self._pointer().metadata or {}
        if "name" not in meta:
            raise IndexMissingError("No index yet: run `seedbot index` first.")
        try:
            return Version.from_metadata(meta)
        except OldIndexError:
            raise IndexMissingError(
                "The index was built by an earlier version of seedbot: run `seedbot index` "
                "to rebuild it."
            ) from None
        except (KeyError, TypeError, ValueError):
            # Treated as missing, so `seedbot index` rebuilds instead of failing on it too.
            raise IndexMissingError(
                "The index pointer is damaged: run `seedbot index` to rebuild it."
            ) from None

    def activate(self, version: Version) -> None:
        """Make `version` the live one, in one write, so readers see the old or the new."""
        pointer = self._pointer()
        with store_errors():
            pointer.modify(metadata=version.to_metadata())

    def held(self, version: Version, include: list[str], where: dict | None = None) -> dict:
        """The records `version` holds (all, or those matching `where`), a page at a time.

        A page of 5,000: one `get` of 100,000 passages peaked at 1.2 GB resident.
        """
        collection = self.collection(version.chunks)
        out: dict[str, list] = {"ids": [], **{k: [] for k in include}}
        page, offset = {"ids": [None] * PAGE}, 0
        while len(page["ids"]) == PAGE:  # not `count`: it reads every record of the collection
            page = collection.get(
                where=where, include=list({"metadatas", *include}), limit=PAGE, offset=offset
            )
            offset += PAGE
            for n, (record, meta) in enumerate(zip(page["ids"], page["metadatas"])):
                if version.sees(record, meta):
                    out["ids"].append(record)
                    for key in include:
                        out[key].append(page[key][n])
        return out

    def collection(self, name: str, create: bool = False) -> Collection:
        with store_errors():
            if create:
                return Collection(
                    self.client.create_collection(name, configuration={"hnsw": _HNSW})
                )
            return Collection(self.client.get_collection(name))

    def generations(self) -> set[str]:
        """Names of the collection pairs in the store, complete or not."""
        with store_errors():
            names = [getattr(c, "name", c) for c in self.client.list_collections()]
        return {n.rsplit("_", 1)[0] for n in names if version_time(n.rsplit("_", 1)[0])}

    def versions(self) -> set[str]:
        """Names of the versions whose records are in the store, complete or not.

        The live generation holds the live version and the one it replaced; every other
        generation is one full build (finished or not).
        """
        found = self.generations()
        try:
            live = self.active()
        except IndexMissingError:
            return found
        if live.generation in found:
            found.discard(live.generation)
            found |= {live.name} | ({live.previous} if live.previous else set())
        return found

    def drop_unused(self, keep: set[str], before: str | None = None) -> list[str]:
        """Delete generations not in `keep` started before `before` (default: all).

        Versions started later may be another process's refresh still in progress (on a
        shared server): dropping them would break it, so they wait for a later refresh.
        """
        limit = version_time(before) if before else None
        doomed = [
            v
            for v in sorted(self.generations())
            if v not in keep and (limit is None or version_time(v) < limit)
        ]
        for version in doomed:
            self.drop_version(version)
        return doomed

    def drop_version(self, name: str) -> None:
        """Delete a generation's collections; one already gone (another cleaner won) is fine.

        The passages' records go first: Chroma's delete_collection leaves their list fields
        behind, for the records that later reuse their rows (chroma-core/chroma#7594).
        """
        from chromadb.errors import NotFoundError

        for suffix in ("_chunks", "_sentences"):
            try:
                if suffix == "_chunks":
                    records = self.client.get_collection(f"{name}{suffix}")
                    records.delete(where={STAMP_KEY: {"$gte": BASE}})  # every record
                self.client.delete_collection(f"{name}{suffix}")
            except NotFoundError:
                pass
            except Exception as exc:
                raise as_store_error(exc) from exc
