import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from retrieval.errors import SettingsError
from retrieval.settings import Settings


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.corpus_dir == Path("seeds")
    assert not settings.llm_enabled


def test_values_are_parsed_to_their_types():
    settings = Settings.from_env(
        {
            "CORPUS_DIR": "texts",
            "TOP_K": "8",
            "COOLDOWN_S": "2.5",
            "MODERATOR_ROLES": "Mods, Admins ,",
            "DISCORD_TOKEN": "abc.def",
        }
    )
    assert settings.corpus_dir == Path("texts")
    assert settings.top_k == 8 and settings.cooldown_s == 2.5
    assert settings.moderator_roles == ("Mods", "Admins")
    assert isinstance(settings.discord_token, SecretStr)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"TOP_K": "many"}, "TOP_K"),
        ({"TOP_K": "0"}, "TOP_K"),
        ({"CHROMA_PORT": "99999"}, "CHROMA_PORT"),
        ({"LLM_BASE_URL": "http://x"}, "LLM_BASE_URL"),
    ],
)
def test_a_bad_setting_names_the_variable(env, name):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env)


SECRETS = {
    "DISCORD_TOKEN": "marker-token-123",
    "LLM_API_KEY": "sk-456789",
    "CHROMA_TOKEN": "ch-98765",
}


def test_no_secret_shows_in_str_repr_f_strings_or_logs(caplog):
    settings = Settings.from_env(SECRETS)
    logging.getLogger("test").warning("settings: %s %r", settings, settings)
    shown = [str(settings), repr(settings), f"{settings}", f"{settings!r}", str([settings])]
    shown += [str(settings.discord_token), f"{settings.llm_api_key}", caplog.text]
    for value in SECRETS.values():
        assert all(value not in text for text in shown)
    assert settings.discord_token.get_secret_value() == "marker-token-123"
    assert sorted(settings.secret_values()) == sorted(SECRETS.values())


@pytest.mark.parametrize("bad", [{"CHROMA_PORT": "abc"}, {"TOP_K": "0"}, {"DISCORD_SHARDS": "x"}])
def test_no_secret_shows_in_the_error_of_a_bad_setting(bad):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({**SECRETS, **bad})
    assert all(value not in str(error.value) for value in SECRETS.values())


@pytest.mark.parametrize(
    ("env", "deadline", "rewrite", "parallel"),
    [
        ({"LLM_MODEL": "m", "LLM_BASE_URL": "http://127.0.0.1:8080/v1"}, 180.0, 30.0, 1),
        ({"LLM_MODEL": "m", "LLM_BASE_URL": "http://localhost:11434/v1"}, 180.0, 30.0, 1),
        ({"LLM_MODEL": "ollama:llama3.1"}, 180.0, 30.0, 1),
        ({"LLM_MODEL": "openai:gpt-4o-mini"}, 30.0, 5.0, 4),
        ({"LLM_MODEL": "m", "LLM_BASE_URL": "https://api.example.com/v1"}, 30.0, 5.0, 4),
        (
            {"LLM_MODEL": "ollama:x", "LLM_TIMEOUT_S": "60", "LLM_CONCURRENCY": "2"},
            60.0,
            30.0,
            2,
        ),
    ],
)
def test_llm_deadlines_and_concurrency_follow_the_provider_kind(env, deadline, rewrite, parallel):
    settings = Settings.from_env(env)
    assert settings.llm_deadline_s == deadline
    assert settings.llm_rewrite_deadline_s == rewrite
    assert settings.llm_parallel == parallel
    assert settings.llm_max_tokens == 400 and settings.llm_temperature == 0.0


@pytest.mark.parametrize(
    "env",
    [
        {"LLM_MAX_TOKENS": "0"},
        {"LLM_TEMPERATURE": "3"},
        {"LLM_CONCURRENCY": "-1"},
        {"LLM_TIMEOUT_S": "-5"},
        {"LLM_REWRITE_TIMEOUT_S": "1000"},
    ],
)
def test_out_of_range_generation_settings_name_the_variable(env):
    with pytest.raises(SettingsError, match=next(iter(env))):
        Settings.from_env(env)
