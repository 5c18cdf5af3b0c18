"""Server mode from settings alone: CHROMA_HOST/PORT/TOKEN, and several processes on one server."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from retrieval.assembly import assemble
from retrieval.errors import StoreError, StoreUnavailableError
from retrieval.index.store import Store, make_client
from retrieval.settings import Settings
from tests.resilience.chroma_server import free_port
from tests.resilience.invariants import assert_citations_verbatim, assert_index_matches
from tests.resilience.processes import JsonlAsker, seedbot_env
from tests.resilience.token_proxy import TokenProxy

pytestmark = pytest.mark.server

TOKEN = "test-token-0f3a9c"
CRATES = "Folding crates are good for storing winter clothes.\n"


def server_settings(settings: Settings, port: int, token: str = "") -> Settings:
    return settings.replace(
        chroma_host="127.0.0.1", chroma_port=port, chroma_token=SecretStr(token)
    )


def test_chroma_host_and_port_select_the_server(settings, embedder, default_database):
    configured = server_settings(settings, default_database.port)
    service = assemble(configured, Store(make_client(configured)), embedder)
    service.refresh()
    # The data is on the server, not in the (unused) store folder.
    seen = default_database.client()
    assert_index_matches(Store(seen), settings.corpus_dir)
    seen.close()
    assert not (settings.store_dir / "chroma.sqlite3").exists()
    assert_citations_verbatim(settings.corpus_dir, service.ask("What happened with o1?"))


def test_a_server_that_is_not_running_is_a_clear_retryable_error(settings):
    configured = server_settings(settings, free_port())
    with pytest.raises(StoreUnavailableError, match="CHROMA_HOST") as caught:
        make_client(configured)
    assert "try again" in str(caught.value)


def test_chroma_host_may_be_a_url_and_https_means_tls(settings, default_database):
    plain = server_settings(settings, default_database.port).replace(
        chroma_host="http://127.0.0.1/"
    )
    make_client(plain).close()
    # The test server speaks plain HTTP, so a TLS handshake with it must fail, and clearly.
    secure = plain.replace(chroma_host="https://127.0.0.1")
    with pytest.raises(StoreUnavailableError, match="CHROMA_HOST"):
        make_client(secure)


def test_the_token_setting_passes_a_token_gate(settings, embedder, default_database):
    with TokenProxy(default_database.port, TOKEN) as proxy:
        configured = server_settings(settings, proxy.port, TOKEN)
        service = assemble(configured, Store(make_client(configured)), embedder)
        service.refresh()
        assert not service.ask("What happened with the o1 series?").refused
    assert proxy.seen_authorization and set(proxy.seen_authorization) == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize("token", ["wrong-token-71d2", ""])
@pytest.mark.parametrize("refusal", [b"Unauthorized", b""], ids=["text", "empty body"])
def test_a_wrong_or_missing_token_is_a_clear_error_that_does_not_show_it(
    settings, default_database, token, refusal
):
    with TokenProxy(default_database.port, TOKEN, refusal) as proxy:
        configured = server_settings(settings, proxy.port, token)
        with pytest.raises(StoreError, match="CHROMA_TOKEN") as caught:
            make_client(configured)
    assert not isinstance(caught.value, StoreUnavailableError)
    chain = [caught.value, caught.value.__cause__, caught.value.__context__]
    assert not any(token and token in repr(e) for e in chain if e is not None)


@pytest.mark.slow
def test_a_refresh_in_one_process_reaches_a_running_ask_process(
    settings, embedder, default_database, tmp_path
):
    """A `seedbot ask --jsonl` process keeps running while this process refreshes twice."""
    configured = server_settings(settings, default_database.port)
    writer = assemble(configured, Store(make_client(configured)), embedder)
    writer.refresh()
    env = seedbot_env(
        chroma_host="127.0.0.1",
        chroma_port=default_database.port,
        corpus_dir=settings.corpus_dir,
        store_dir=tmp_path / "other-store",
    )
    asker = JsonlAsker(env, cwd=tmp_path)
    try:
        assert asker.ask("What are folding crates good for?")["refused"]
        (settings.corpus_dir / "crates.txt").write_text(CRATES, encoding="utf-8")
        writer.refresh()
        answer = _ask_until(asker, "What are folding crates good for?", lambda a: a["citations"])
        assert [c["source"] for c in answer["citations"]] == ["crates.txt"]
        (settings.corpus_dir / "crates.txt").unlink()
        writer.refresh()
        gone = _ask_until(asker, "What are folding crates good for?", lambda a: a["refused"])
        assert gone["citations"] == []
    finally:
        stderr = asker.close()
    assert asker.process.returncode == 0, stderr


def _ask_until(asker: JsonlAsker, question: str, done, attempts: int = 30) -> dict:
    """Ask until `done(answer)`; the other process re-reads the pointer every POINTER_TTL_S."""
    import time

    for _ in range(attempts):
        answer = asker.ask(question)
        if done(answer):
            return answer
        time.sleep(0.2)  # another process: its clock can't be injected; bounded by `attempts`
    raise AssertionError(f"the other process never saw the refresh: {answer}")
