"""The `seedbot` command as users run it: a real process, its output and its exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SEEDBOT = str(Path(sys.executable).parent / "seedbot")


def run(args, env_dir: Path, corpus: Path, stdin: str | None = None, timeout: float = 120):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHROMA_", "LLM_"))}
    env.update(CORPUS_DIR=str(corpus), STORE_DIR=str(env_dir / "store"), LOG_LEVEL="WARNING")
    return subprocess.run(
        [SEEDBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=env_dir,
        env=env,
    )


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """A corpus copy with its index built by `seedbot index`."""
    import shutil

    base = tmp_path_factory.mktemp("cli")
    corpus = base / "corpus"
    shutil.copytree(Path(__file__).resolve().parents[2] / "seeds", corpus)
    done = run(["index"], base, corpus)
    assert done.returncode == 0, done.stderr
    assert "added" in done.stdout
    return base, corpus


def test_ask_prints_the_answer_with_its_sources(indexed):
    result = run(["ask", "Why would SGD punish schemers?"], *indexed)
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "Sources:" in result.stdout
    assert "000_ca3cea7e8a48471e.txt" in result.stdout


def test_ask_json_is_one_object_with_the_contracted_fields(indexed):
    result = run(["ask", "--json", "What changed with the o1 models?"], *indexed)
    data = json.loads(result.stdout)
    assert {"question", "answer", "refused", "citations", "timings_ms"} <= set(data)
    assert data["citations"][0]["source"] == "003_6fe5a58e943e7eb6.txt"


def test_ask_jsonl_answers_each_line_and_reports_bad_ones(indexed):
    questions = "What is cyborgism?\n\nWhat about collapsable boxes?\n" + "x" * 3000 + "\n"
    result = run(["ask", "--jsonl"], *indexed, stdin=questions)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4  # one object per input line, the blank one included
    assert "answer" in rows[0] and "answer" in rows[2]
    assert rows[1]["question"] == "" and "empty" in rows[1]["error"]
    assert "limit" in rows[3]["error"]
    assert result.returncode == 1


@pytest.mark.parametrize("question", ["", "   ", "why " * 25_000])
def test_bad_questions_exit_non_zero_without_a_traceback(indexed, question):
    result = run(["ask", question], *indexed)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("seedbot: ")


def test_a_missing_index_says_how_to_build_it(tmp_path, indexed):
    result = run(["ask", "anything?"], tmp_path, indexed[1])
    assert result.returncode == 2
    assert "seedbot index" in result.stderr and "Traceback" not in result.stderr


def test_index_skips_unreadable_files_and_says_why(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.md").write_text("# Notes\n\nAlignment needs care.\n", encoding="utf-8")
    (corpus / "bad.txt").write_bytes(b"\xff\xfe\x00garbage")
    result = run(["index"], tmp_path, corpus)
    assert result.returncode == 0, result.stderr
    assert "skipped bad.txt" in result.stdout


def test_an_empty_corpus_is_a_clear_error(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = run(["index"], tmp_path, corpus)
    assert result.returncode == 2
    assert (
        "no readable .txt, .md or .rst files" in result.stderr and "Traceback" not in result.stderr
    )


def test_chat_answers_and_runs_its_commands(indexed):
    script = "Why is the cyborgism approach worth it?\n/sources\n/help\n/quit\n"
    result = run(["chat"], *indexed, stdin=script)
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout
    assert "2 documents" in result.stdout
    assert "/reindex" in result.stdout


def test_a_refresh_lists_the_files_it_added_updated_and_removed():
    from bot.terminal.render import render_refresh
    from retrieval.index.indexer import RefreshReport

    report = RefreshReport("v", {"added": ["a.md"], "updated": ["b.txt"], "deleted": ["c.txt"]})
    lines = render_refresh(report).splitlines()
    assert lines[:3] == ["added: a.md", "updated: b.txt", "removed: c.txt"]


def test_the_terminal_keeps_code_lines_as_laid_out_and_fills_the_prose():
    from bot.terminal.render import wrapped

    prose = "word " * 40
    text = f"{prose}:\n    def f():\n        return 1 [1]"
    lines = wrapped(text, width=60).split("\n")
    assert lines[-2:] == ["    def f():", "        return 1 [1]"]
    assert all(len(line) <= 60 for line in lines[:-2])
