"""`seedbot index` killed with SIGKILL at random points: nothing is lost, nothing is left over.

Each round changes the corpus, starts a real `seedbot index` process, and kills it after a
random delay drawn over the length of a full refresh. After each kill the live version must
be complete (exactly the passages of the corpus it was built from: the last completed one,
or the one being built if the kill came after the pointer flipped) and must answer. At the
end an uncut refresh must match the corpus exactly and leave no debris.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import chromadb
import pytest

from retrieval.index.store import Store
from tests.conftest import make_service
from tests.resilience.chroma_server import chroma_settings
from tests.resilience.corpus_gen import grow_corpus, mutate
from tests.resilience.invariants import (
    assert_citations_verbatim,
    assert_index_matches,
    assert_no_debris,
    assert_version_holds,
    expected_chunks,
    held_ids,
)
from tests.resilience.processes import run_seedbot, seedbot_env, start_seedbot

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("SEEDBOT_KILL_SEED", "20261123"))  # set it to replay a failure
STARTED_LINE = "refreshing the index from"


@dataclass
class Setup:
    """Where the refreshing processes write, and how the test opens the same store."""

    env: dict[str, str]
    open_client: object  # () -> a context manager yielding a Chroma client


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def setup(request, tmp_path, corpus):
    env = {"corpus_dir": corpus, "store_dir": tmp_path / "store", "log_level": "INFO"}
    if request.param == "embedded":
        folder = str(tmp_path / "store")

        @contextmanager
        def open_client():
            # Only while no refresher runs: Chroma's embedded store is not process-safe.
            with chromadb.PersistentClient(path=folder, settings=chroma_settings()) as client:
                yield client

        return Setup(seedbot_env(**env), open_client)
    server = request.getfixturevalue("default_database")
    env |= {"chroma_host": server.host, "chroma_port": server.port}

    @contextmanager
    def open_server_client():
        client = server.client()
        try:
            yield client
        finally:
            client.close()

    return Setup(seedbot_env(**env), open_server_client)


def refresh_and_kill(setup: Setup, cwd, delay: float) -> tuple[bool, float]:
    """Run `seedbot index`, SIGKILL it `delay` s after its refresh began.

    Returns whether it was cut, and how long it ran after its refresh began.
    """
    process = start_seedbot(["index"], setup.env, cwd)
    began = threading.Event()

    def watch() -> None:
        for line in process.stderr:
            if STARTED_LINE in line:
                began.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        assert began.wait(60), "seedbot index never began its refresh"
        began_at = time.monotonic()
        with suppress(subprocess.TimeoutExpired):
            process.wait(delay)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # its own group: only what we started
        process.wait(30)
    if process.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(f"seedbot index failed on its own: rc={process.returncode}")
    return process.returncode == -signal.SIGKILL, time.monotonic() - began_at


def check_live(setup: Setup, settings, embedder, allowed: list[dict]) -> int:
    """The live version holds exactly one of the `allowed` passage sets, and answers."""
    with setup.open_client() as client:
        store = Store(client)
        version = store.active()
        ids = held_ids(store, version)
        matches = [i for i, chunks in enumerate(allowed) if set(chunks) == ids]
        assert matches, f"live version {version.name} matches no corpus it was built from"
        assert_version_holds(store, version, allowed[matches[-1]])
        answer = make_service(settings, embedder, client).ask("Why would SGD punish schemers?")
        assert not answer.refused and answer.citations
        return matches[-1]


def test_sigkill_at_random_points_never_loses_the_index(
    setup, settings, embedder, corpus, tmp_path, request
):
    rounds = 6 if "embedded" in request.node.name else 4
    rng = random.Random(SEED)
    for path in corpus.iterdir():
        path.unlink()
    grow_corpus(corpus, copies=2, seed=SEED)
    settings = settings.replace(corpus_dir=corpus)
    cut, full = refresh_and_kill(setup, tmp_path, delay=600)  # a full, uncut refresh
    assert not cut
    # A refresh costs what changed, so kills are timed by an uncut round of the same size.
    for _ in range(2):
        mutate(corpus, rng, rounds)
    cut, incremental = refresh_and_kill(setup, tmp_path, delay=600)
    assert not cut
    live = expected_chunks(corpus)
    outcomes = []
    for round_no in range(rounds):
        changes = [mutate(corpus, rng, round_no) for _ in range(2)]
        building = expected_chunks(corpus)
        delay = rng.uniform(0, incremental)
        killed, _ = refresh_and_kill(setup, tmp_path, delay)
        which = check_live(setup, settings, embedder, [live, building])
        live = building if which == 1 else live
        outcomes.append((changes, round(delay, 2), killed, "new" if which else "previous"))
    print(f"seed {SEED}, full {full:.1f} s, a round {incremental:.1f} s:", *outcomes)
    cut = [o for o in outcomes if o[2]]
    assert len(cut) >= rounds // 2, f"too few kills landed mid-refresh (seed {SEED}): {outcomes}"
    assert any(o[3] == "previous" for o in cut), outcomes
    result = run_seedbot(["index"], setup.env, tmp_path)
    assert result.returncode == 0, result.stderr
    with setup.open_client() as client:
        store = Store(client)
        assert_index_matches(store, corpus)
        assert_no_debris(store)
        answer = make_service(settings, embedder, client).ask("What happened with o1?")
        assert_citations_verbatim(corpus, answer)
