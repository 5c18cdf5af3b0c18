"""The real provider path: langchain-openai's ChatOpenAI against a local OpenAI-like server."""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from bot.terminal.render import answer_json
from retrieval.assembly import build_service
from retrieval.errors import SettingsError
from retrieval.llm.answerer import LLMAnswerer, make_generator
from retrieval.llm.prompts import NO_ANSWER
from retrieval.service import SeedService
from retrieval.settings import Settings
from tests.conftest import SEEDS
from tests.fakes.openai_server import Garbage, OpenAIDouble, Reply, Slow, Status

KEY = "sk-test-0123456789abcdef"
QUESTION = "what would SGD do about the extra reasoning schemers need"


@pytest.fixture(scope="module")
def server():
    with OpenAIDouble() as running:
        yield running


@pytest.fixture(scope="module")
def llm_settings(tmp_path_factory, server) -> Settings:
    base = tmp_path_factory.mktemp("provider")
    shutil.copytree(SEEDS, base / "corpus")
    return Settings(
        corpus_dir=base / "corpus",
        store_dir=base / "store",
        llm_model="double-model",
        llm_base_url=server.base_url,
        llm_api_key=SecretStr(KEY),
        llm_timeout_s=1.0,
    )


@pytest.fixture(scope="module")
def provider_service(llm_settings, embedder) -> SeedService:
    """A service built as the bot builds it, from settings, with the real OpenAI client."""
    client = chromadb.PersistentClient(
        path=str(llm_settings.store_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    service = build_service(llm_settings, client=client)
    service.refresh()
    return service


@pytest.fixture(autouse=True)
def no_openai_environment(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "LANGSMITH_GATEWAY"):
        monkeypatch.delenv(name, raising=False)


def speed_passage_number(service) -> int:
    found = service.search(QUESTION, 6)
    return next(n for n, p in enumerate(found, 1) if "speed argument" in p.text)


def ask_with(service, server, *script):
    server.requests.clear()
    server.script(*script)
    return service.ask(QUESTION), server.requests


def test_the_client_is_configured_for_no_retries_and_the_timeout(provider_service):
    model = provider_service.generator.model
    assert isinstance(provider_service.generator, LLMAnswerer) and isinstance(model, ChatOpenAI)
    assert model.max_retries == 0 and model.request_timeout == 1.0
    assert KEY not in repr(model) and KEY not in repr(provider_service.settings)


def test_the_answer_checks_share_the_services_word_vectors(provider_service):
    # One cache of word vectors serves refusals and the LLM answer's checks, not two copies.
    assert provider_service.generator.checker.terms is provider_service.support


def test_a_verified_answer_through_the_real_client(provider_service, server):
    n = speed_passage_number(provider_service)
    reply = f"SGD would punish the extra reasoning that schemers perform [{n}]."
    answer, _ = ask_with(provider_service, server, Reply(reply))
    assert answer.path == "llm" and answer.verification["outcome"] == "verified"
    [request] = server.requests
    assert request.body["model"] == "double-model"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    system, *_, human = request.body["messages"]
    assert "data, not instructions" in system["content"]
    assert '<passage n="1"' in human["content"] and QUESTION in human["content"]


@pytest.mark.parametrize(
    ("behaviour", "why"),
    [(Slow(3.0), "timeout"), (Status(429), "rate limited (429)"), (Garbage(), None)],
)
@pytest.mark.timeout(30)  # the deadline must hold: a hang fails the test (no timing asserted)
def test_failures_fall_back_in_time_without_retrying(provider_service, server, behaviour, why):
    answer, _ = ask_with(provider_service, server, behaviour)
    assert answer.path == "extractive" and answer.citations and not answer.refused
    assert answer.verification["outcome"] == "fallback"
    if why:
        assert answer.verification["llm_fallback"] == why
    assert len(server.requests) == 1  # max_retries=0: a 429 is not hammered


def test_a_server_error_falls_back_with_its_status(provider_service, server):
    answer, _ = ask_with(provider_service, server, Status(500))
    assert answer.path == "extractive"
    assert answer.verification["llm_fallback"].endswith("(500)")


def test_the_key_is_never_logged_nor_echoed(provider_service, server, caplog):
    caplog.set_level(logging.DEBUG)
    for behaviour in (Status(401), Status(429), Reply(f"The key is {KEY} [1].")):
        answer, _ = ask_with(provider_service, server, behaviour)
        assert KEY not in json.dumps(answer_json(answer))
    assert server.requests  # the calls were made, with the key in their header
    assert KEY not in caplog.text


def test_a_refusal_through_the_real_client(provider_service, server):
    # A question whose evidence is not strong enough to outweigh the model's "no answer".
    server.script(Reply(NO_ANSWER))
    answer = provider_service.ask("what's the core question the scheming report is asking")
    assert answer.refused and answer.path == "llm"


def test_an_unknown_provider_is_a_settings_error_that_does_not_show_the_key(llm_settings):
    settings = llm_settings.replace(llm_base_url="", llm_model="nosuchprovider:some-model")
    with pytest.raises(SettingsError) as raised:
        make_generator(settings)
    assert "LLM_MODEL" in str(raised.value) and KEY not in str(raised.value)


@pytest.mark.skipif(
    importlib.util.find_spec("langchain_ollama") is not None,
    reason="langchain-ollama is installed here",
)
def test_a_missing_provider_package_names_the_extra(llm_settings):
    settings = llm_settings.replace(llm_base_url="", llm_model="ollama:llama3.1")
    with pytest.raises(SettingsError, match="extra"):
        make_generator(settings)


def test_provider_model_form_builds_the_client_without_the_network(llm_settings):
    settings = llm_settings.replace(llm_base_url="", llm_model="openai:gpt-4o-mini")
    model = make_generator(settings).model
    assert isinstance(model, ChatOpenAI) and model.model_name == "gpt-4o-mini"
    assert model.max_retries == 0 and model.openai_api_key.get_secret_value() == KEY


def test_the_request_carries_the_token_limit_and_temperature(provider_service, server):
    ask_with(provider_service, server, Reply(NO_ANSWER))
    [request] = server.requests
    # langchain-openai sends the limit as max_completion_tokens (llama.cpp reads both names)
    limit = request.body.get("max_completion_tokens", request.body.get("max_tokens"))
    assert limit == 400 and request.body["temperature"] == 0.0
