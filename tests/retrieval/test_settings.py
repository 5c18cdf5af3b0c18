from pathlib import Path

import pytest

from retrieval.errors import SettingsError
from retrieval.settings import Secret, Settings


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
    assert isinstance(settings.discord_token, Secret)


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


def test_secrets_never_show_in_repr():
    settings = Settings.from_env({"DISCORD_TOKEN": "marker-token-123", "LLM_API_KEY": "sk-456"})
    shown = repr(settings) + str([settings])
    assert "marker-token-123" not in shown and "sk-456" not in shown
    assert settings.discord_token.reveal() == "marker-token-123"
