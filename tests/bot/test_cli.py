"""`seedbot` from the bot package: the retrieval commands still work, plus sync-commands."""

from __future__ import annotations

import pytest

from bot.app import main
from retrieval.settings import Settings

SETTING_NAMES = [f.upper() for f in Settings.model_fields]


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No setting from the developer's environment or .env leaks into the command."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    return env_file


def test_retrieval_commands_still_work(clean_env, monkeypatch, seed_service, capsys):
    monkeypatch.setenv("CORPUS_DIR", str(seed_service.settings.corpus_dir))
    monkeypatch.setenv("STORE_DIR", str(seed_service.settings.store_dir))
    assert main(["--env-file", str(clean_env), "sources"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in seed_service.sources().documents)


def test_sync_commands_needs_a_token(clean_env, capsys):
    assert main(["--env-file", str(clean_env), "sync-commands", "--guild", "42"]) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


def test_sync_commands_options_are_exclusive(clean_env):
    with pytest.raises(SystemExit):
        main(["--env-file", str(clean_env), "sync-commands", "--guild", "42", "--global"])


def test_jsonl_answers_a_blank_line_with_an_error_so_lines_stay_aligned(
    clean_env, monkeypatch, seed_service, capsys
):
    import io
    import json

    monkeypatch.setenv("CORPUS_DIR", str(seed_service.settings.corpus_dir))
    monkeypatch.setenv("STORE_DIR", str(seed_service.settings.store_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("What is a schemer?\n\nWhat is RLHF?\n"))
    assert main(["--env-file", str(clean_env), "ask", "--jsonl"]) == 1  # one bad line
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3
    assert rows[1]["question"] == "" and rows[1]["error"]
    assert "answer" in rows[0] and "answer" in rows[2]
