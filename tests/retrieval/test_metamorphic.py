"""Harmless rewording keeps the outcome: refused or not, and the same first cited passage.

Members add greetings, fillers, mentions and stray markers, or drop capitals and
punctuation; none of it changes what they ask. Over every question of the development sets
of the three corpora, at most 2% of such variants may change the outcome.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.render import without_mentions
from retrieval.errors import QuestionEmptyError
from retrieval.settings import Settings
from tests.conftest import ROOT, make_service

pytestmark = pytest.mark.slow

SEED_SETS = ["questions", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"]
HOWTOS = ROOT / "eval" / "howtos"
GITDOCS = ROOT / "eval" / "gitdocs"
MAX_CHANGED = 0.02
VARIANTS = {
    "lol": lambda q: f"{q} lol",
    "mentions": lambda q: without_mentions(f"@everyone <@123456789012345678> {q}"),
    "marker": lambda q: f"{q} [99]",
    "greeting": lambda q: f"hey bot, quick one: {q}",
    "lower case": str.lower,
    # Sentence punctuation only: the dot of "logging.info" is part of a name, not punctuation.
    "no punctuation": lambda q: re.sub(r"[?!]|[.,;:](?=\s|$)", "", q),
}
JUNK = ["W &( H }", "???", "!!!!", "<@123456789012345678> @everyone", "[1] [2]", ":) :-( ;)"]


def questions(path: Path) -> list[str]:
    rows = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(row)["question"] for row in rows if row.strip()]


def outcome(service, question: str) -> tuple:
    answer = service.ask(question)
    first = answer.citations[0] if answer.citations else None
    return answer.refused, first and (first.source, first.line_start, first.line_end)


def service_over(corpus: Path, base: Path, embedder):
    shutil.copytree(corpus, base / "corpus")
    built = make_service(Settings(corpus_dir=base / "corpus", store_dir=base / "store"), embedder)
    built.refresh()
    return built


@pytest.fixture(scope="module")
def howtos_service(tmp_path_factory, embedder):
    return service_over(HOWTOS / "corpus", tmp_path_factory.mktemp("howtos"), embedder)


@pytest.fixture(scope="module")
def gitdocs_service(tmp_path_factory, embedder):
    return service_over(GITDOCS / "corpus", tmp_path_factory.mktemp("gitdocs"), embedder)


def changed_share(service, asked: list[str]) -> tuple[float, list[str]]:
    changed, total = [], 0
    for question in asked:
        expected = outcome(service, question)
        for name, variant in VARIANTS.items():
            total += 1
            if outcome(service, variant(question)) != expected:
                changed.append(f"{name}: {question}")
    return len(changed) / total, changed


def test_rewording_keeps_the_outcome_on_the_seed_sets(seed_service):
    asked = [q for name in SEED_SETS for q in questions(ROOT / "eval" / f"{name}.jsonl")]
    share, changed = changed_share(seed_service, asked)
    assert share <= MAX_CHANGED, f"{share:.3f} changed: {changed[:20]}"


def test_rewording_keeps_the_outcome_on_the_second_corpus(howtos_service):
    share, changed = changed_share(howtos_service, questions(HOWTOS / "questions.jsonl"))
    assert share <= MAX_CHANGED, f"{share:.3f} changed: {changed[:20]}"


def test_rewording_keeps_the_outcome_on_the_third_corpus(gitdocs_service):
    share, changed = changed_share(gitdocs_service, questions(GITDOCS / "questions.jsonl"))
    assert share <= MAX_CHANGED, f"{share:.3f} changed: {changed[:20]}"


@pytest.mark.parametrize("junk", JUNK)
def test_junk_without_content_words_is_refused(seed_service, junk):
    question = without_mentions(junk)  # what the bot hands the service
    if not question:
        with pytest.raises(QuestionEmptyError):
            seed_service.ask(question)
    else:
        assert seed_service.ask(question).refused
