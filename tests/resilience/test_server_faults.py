"""A Chroma server that stops, restarts or freezes under a running service."""

from __future__ import annotations

import pytest

from retrieval.assembly import assemble
from retrieval.errors import StoreUnavailableError
from retrieval.index.live import POINTER_TTL_S
from retrieval.index.store import Store, make_client
from retrieval.service import SeedService
from tests.conftest import Clock
from tests.resilience.invariants import assert_citations_verbatim, assert_index_matches

pytestmark = pytest.mark.server

QUESTION = "What happened with the o1 series?"
OTHER_QUESTION = "What is the speed argument against schemers?"  # 5 passages QUESTION's lacks


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def served(settings, embedder, own_server, clock):
    """A service configured by CHROMA_HOST/PORT on a private server, with the index built."""
    configured = settings.replace(chroma_host=own_server.host, chroma_port=own_server.port)
    service = assemble(configured, Store(make_client(configured)), embedder, clock=clock)
    service.refresh()
    return service


def assert_unavailable(service: SeedService) -> None:
    with pytest.raises(StoreUnavailableError, match=r"unavailable.*try again"):
        service.ask(QUESTION)


def test_questions_during_an_outage_say_try_again_and_answering_resumes_by_itself(
    served, own_server, clock
):
    before = served.ask(QUESTION)
    own_server.stop()
    # Within the pointer's TTL the loaded version answers what it holds in memory (its
    # vectors, BM25 index and the passages it has read): the same answer, from no server.
    during = served.ask(QUESTION)
    assert during.text == before.text and during.citations == before.citations
    clock.now += POINTER_TTL_S + 0.1
    assert_unavailable(served)  # re-reading the pointer needs the server: "try again"
    with pytest.raises(StoreUnavailableError):
        served.refresh()
    assert not served.refreshing, "a failed refresh must release its lock"
    own_server.start()
    after = served.ask(QUESTION)  # the same service object: no restart, no reconnect call
    assert after.text == before.text and after.citations == before.citations
    assert_citations_verbatim(served.settings.corpus_dir, after)
    served.refresh(force=True)
    assert_index_matches(served.store, served.settings.corpus_dir)


def test_a_server_stopped_mid_refresh_leaves_the_previous_version_live(
    served, own_server, embedder
):
    live = served.store.active().name
    (served.settings.corpus_dir / "crates.txt").write_text(
        "Folding crates are good for storing winter clothes.\n" * 3, encoding="utf-8"
    )

    class StopsTheServer:
        """The real embedder; the server goes down while it works."""

        name = embedder.name

        def embed_documents(self, texts):
            own_server.stop()
            return embedder.embed_documents(texts)

    crashing = assemble(served.settings, served.store, StopsTheServer())
    with pytest.raises(StoreUnavailableError):
        crashing.refresh()
    own_server.start()
    assert served.store.active().name == live
    assert served.refresh().added > 0  # debris is cleared and the new text indexed
    assert_index_matches(served.store, served.settings.corpus_dir)


@pytest.mark.timeout(60)  # a hang fails the test; how long the timeout takes is not asserted
def test_a_frozen_server_fails_questions_after_a_timeout_instead_of_hanging(
    settings, embedder, own_server, monkeypatch
):
    monkeypatch.setattr("retrieval.index.store.HTTP_TIMEOUT_S", 1.0)
    monkeypatch.setattr("retrieval.index.store.HTTP_CONNECT_TIMEOUT_S", 1.0)
    configured = settings.replace(chroma_host=own_server.host, chroma_port=own_server.port)
    service = assemble(configured, Store(make_client(configured)), embedder)
    service.refresh()
    own_server.freeze()
    try:
        assert_unavailable(service)
    finally:
        own_server.thaw()
    assert not service.ask(QUESTION).refused


@pytest.mark.e2e
async def test_the_bot_says_try_again_during_an_outage_and_recovers_by_itself(own_server, tmp_path):
    """The real bot process in server mode, through the Discord double."""
    from bot.errors import FRIENDLY
    from tests.discord_double import DiscordDouble
    from tests.resilience.bot_process import replies_to, running_bot, wait_for_replies

    async def ask(double, question: str) -> str:
        message = await double.send_message(
            double.channel_id, double.member, f"{double.bot.mention} {question}"
        )
        await wait_for_replies(double, [message["id"]])
        return replies_to(double, message["id"])[0]["content"]

    server = {"CHROMA_HOST": own_server.host, "CHROMA_PORT": str(own_server.port)}
    async with DiscordDouble() as double, running_bot(double, tmp_path, **server):
        assert "[1]" in await ask(double, QUESTION)
        own_server.stop()
        # A question whose passages the bot has not read yet needs the server (one it has
        # just answered may be answered again from memory for a moment: not asserted here).
        assert await ask(double, OTHER_QUESTION) == FRIENDLY[StoreUnavailableError]
        own_server.start()
        assert "[1]" in await ask(double, OTHER_QUESTION)
