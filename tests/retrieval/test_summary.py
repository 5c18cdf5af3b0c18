"""Summaries: offline ones are verbatim cited sentences; LLM ones are map-reduced and verified."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from retrieval.answer.extractive import shown
from retrieval.errors import UnknownDocumentError
from retrieval.ingest.corpus import read_lines
from retrieval.ingest.sentences import sentence_spans
from retrieval.llm.answerer import LLMAnswerer
from retrieval.summary.summarizer import Summarizer, load_passages
from tests.conftest import make_service

DOCUMENTS = ("000_ca3cea7e8a48471e.txt", "003_6fe5a58e943e7eb6.txt")
_PART = re.compile(r"(.+?)((?: \[\d+\])+)(?= |$)")


class ByPrompt(BaseChatModel):
    """Replies chosen by what the prompt holds, so concurrent map calls get their own reply."""

    replies: dict[str, str]
    prompts: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "by-prompt"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        prompt = str(messages[-1].content)
        self.prompts.append(prompt)
        reply = next((r for key, r in self.replies.items() if key in prompt), "")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=reply))])


def summarized_with(service, generator, document: str = DOCUMENTS[1]):
    """A fresh (uncached) summary of `document` made with `generator`, then extractive again."""
    service.use_generator(generator)
    try:
        return Summarizer(service.live, service.stages, service.settings).summarize(
            document=document
        )
    finally:
        service.use_generator(None)


def cited_parts(text: str) -> list[tuple[str, list[int]]]:
    """(sentence, marker numbers) for each cited sentence of a summary."""
    return [
        (m.group(1).strip(), [int(n) for n in re.findall(r"\d+", m.group(2))])
        for m in _PART.finditer(text)
    ]


def assert_verbatim_and_cited(summary, corpus: Path) -> None:
    """Every cited part is a run of whole, consecutive sentences of its cited lines, quoted
    verbatim (as shown: on one line, footnote markers as superscripts)."""
    parts = cited_parts(summary.text)
    assert parts  # and nothing but cited sentences:
    assert " ".join(m.group(0).strip() for m in _PART.finditer(summary.text)) == summary.text
    by_number = {c.n: c for c in summary.citations}
    for sentence, numbers in parts:
        for n in numbers:
            citation = by_number[n]
            lines = read_lines(corpus, citation.source, citation.line_start, citation.line_end)
            assert citation.quote in lines
            shown_sentences = [shown(lines[a:b]) for a, b in sentence_spans(lines)]
            runs = {
                " ".join(shown_sentences[i:j])
                for i in range(len(shown_sentences))
                for j in range(i + 1, len(shown_sentences) + 1)
            }
            assert sentence in runs


@pytest.mark.parametrize("document", [*DOCUMENTS, None])
def test_offline_summaries_are_verbatim_cited_sentences(seed_service, document):
    # Their speed is measured by the benchmarks (bench/), not asserted here.
    summarizer = Summarizer(seed_service.live, seed_service.stages, seed_service.settings)
    summary = summarizer.summarize(document=document)
    assert summary.path == "extractive" and not summary.refused
    assert summary.verification["citations_rejected"] == 0
    assert_verbatim_and_cited(summary, seed_service.settings.corpus_dir)
    if document:
        assert {c.source for c in summary.citations} == {document}
    else:
        assert {c.source for c in summary.citations} == set(DOCUMENTS)


def test_a_topic_summary_gathers_passages_about_it(seed_service):
    summary = Summarizer(seed_service.live, seed_service.stages, seed_service.settings).summarize(
        topic="collapsible boxes versus footnotes"
    )
    assert summary.citations and not summary.refused
    assert all(c.source == DOCUMENTS[1] and 25 <= c.line_start <= 28 for c in summary.citations)
    assert_verbatim_and_cited(summary, seed_service.settings.corpus_dir)


def test_a_topic_summary_shows_whole_thoughts_not_fragments(seed_service):
    summarizer = Summarizer(seed_service.live, seed_service.stages, seed_service.settings)
    # The texts' one line on RLHF is a footnote whose point is in the sentence after it.
    rlhf = summarizer.summarize(topic="RLHF")
    assert "This is surprisingly effective, but it doesn't remove everything." in rlhf.text
    # A sentence that stops on "a combination of" comes with the claims it combines, under
    # one citation marker, as in answers.
    scheming = summarizer.summarize(topic="scheming")
    assert "is a combination of “Because of the extra reasoning" in " ".join(scheming.text.split())
    assert "combination of [" not in scheming.text
    assert_verbatim_and_cited(scheming, seed_service.settings.corpus_dir)


def test_a_document_summary_opens_with_the_point_its_writer_opens_with(seed_service):
    summary = seed_service.summarize(document=DOCUMENTS[0])
    assert summary.citations[0].line_start == 1  # "... a “speed argument against schemers”"
    quotes = " ".join(c.quote for c in summary.citations)
    assert not quotes.startswith("“The type of")  # the second half of a sentence begun above


RST_HOWTO = """Sorting HOW TO
**************

Python lists have a built-in method that modifies the list in-place.  There is
also a built-in function that builds a new sorted list from an iterable.

A simple ascending sort is very easy: just call the function.  It returns a new
sorted list::

    >>> sorted([5, 2, 3, 1, 4])
    [1, 2, 3, 4, 5]

Sort Stability
==============

Sorts are guaranteed to be stable.  That means that when multiple records have
the same key, their original order is preserved (which is handy for sorting in
several passes).

* The sort is stable -- if two items have the same key, their order will be
  preserved in the sorted list.
* The original items do not have to be comparable because the ordering of the
  decorated tuples will be determined by at most the first two items.
"""


def _docs_service(settings, embedder, tmp_path, name: str, text: str):
    """A service over a corpus of one documentation file, indexed."""
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / name).write_text(text, encoding="utf-8")
    docs = make_service(settings, embedder, corpus_dir=corpus, store_dir=tmp_path / "store")
    docs.refresh()
    return docs


def test_a_summary_of_documentation_holds_points_not_code_or_cut_sentences(
    settings, embedder, tmp_path
):
    docs = _docs_service(settings, embedder, tmp_path, "sorting.rst.txt", RST_HOWTO)
    summary = docs.summarize(document="sorting.rst.txt")
    assert summary.citations and not summary.refused
    for citation in summary.citations:
        assert not citation.quote.lstrip().startswith((">>>", "["))  # no code
        assert citation.quote[0].isupper() or citation.quote[0] == "*"
        assert citation.quote.rstrip().endswith((".", ")"))  # whole sentences
    assert {lead_in for lead_in, _ in summary.sections} <= {"Sorting HOW TO", "Sort Stability"}


MANUAL_PAGE = """{name}(7)
=========

DESCRIPTION
-----------

{body}
"""
EVERYDAY = """Individual developers use a small set of commands every day.  Anybody who makes
a commit needs these commands, even somebody who works alone.

Examples
--------

Use a topic branch for each feature:

  $ git switch -c topic <1>
  $ git switch master <2>

<1> create a new topic branch.
<2> switch to the master branch.

You need the following commands to publish your work:

  * git-push(1) to publish the bleeding edge.
  * git-fetch(1) to bring in the work of others.

See git-switch(1) for more details on the options of each command.
"""
FAQ = """A merge records both parents, so Git knows which changes it has already combined
and never asks you to resolve the same conflict twice.  Rebasing rewrites the history
of a branch, so a branch others have fetched should not be rebased.

Long-lived branches that are merged repeatedly are best merged with real merge commits.
A topic branch holds the work on one feature until that work is merged.  Delete each
topic branch once it has been merged, so that the list of branches stays short.
"""


def _manuals_service(settings, embedder, tmp_path):
    """Two manual pages that share their "DESCRIPTION" heading, as every manual page does."""
    corpus = tmp_path / "manuals"
    corpus.mkdir()
    for name, body in (("giteveryday", EVERYDAY), ("gitfaq", FAQ)):
        text = MANUAL_PAGE.format(name=name, body=body)
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    docs = make_service(settings, embedder, corpus_dir=corpus, store_dir=tmp_path / "store")
    docs.refresh()
    return docs


def test_a_document_summary_quotes_only_that_document(settings, embedder, tmp_path):
    docs = _manuals_service(settings, embedder, tmp_path)
    for document in ("gitfaq.txt", "giteveryday.txt"):
        summary = docs.summarize(document=document)
        assert summary.citations and not summary.refused
        # The shared heading is indexed once, in the first page's passage: the rest of that
        # passage is the other page's, not this one's.
        assert {c.source for c in summary.citations} == {document}


def test_a_manual_summary_leaves_out_list_fragments_and_pointers(settings, embedder, tmp_path):
    docs = _manuals_service(settings, embedder, tmp_path)
    summaries = (docs.summarize(), docs.summarize(document="giteveryday.txt"))
    for summary in (*summaries, docs.summarize(topic="git switch and push commands")):
        quotes = [c.quote.strip() for c in summary.citations]
        assert quotes and not summary.refused
        for quote in quotes:
            assert not quote.startswith(("<1>", "<2>", "* git-"))  # they finish a lead-in
            assert "for more details" not in quote  # the point is in another page
    assert "Individual developers use a small set of commands" in summaries[1].text


def test_a_topic_the_texts_never_discuss_is_refused(seed_service):
    summary = Summarizer(seed_service.live, seed_service.stages, seed_service.settings).summarize(
        topic="how to cook pasta"
    )
    assert summary.refused and summary.citations == ()


def test_a_document_is_found_by_prefix_and_an_unknown_one_lists_those_available(seed_service):
    assert seed_service.summarize(document="003").title.endswith(DOCUMENTS[1])
    with pytest.raises(UnknownDocumentError) as raised:
        seed_service.summarize(document="no_such_file.txt")
    assert all(name in str(raised.value) for name in DOCUMENTS)
    with pytest.raises(UnknownDocumentError, match="several"):
        seed_service.summarize(document="00")


def test_summaries_are_cached_until_a_refresh_changes_the_corpus(service):
    first = service.summarize()
    again = service.summarize()
    assert again.verification.get("cached") and again.text == first.text
    extra = "Gradient descent rewards simple circuits far more than clever ones, says the note."
    (service.settings.corpus_dir / "010_new.txt").write_text(extra + "\n", encoding="utf-8")
    service.refresh()
    after = service.summarize()
    assert not after.verification.get("cached")
    assert after.title == "Summary of the corpus (3 documents)"


def test_map_reduce_summary_is_verified_and_renumbered(seed_service):
    passages = load_passages(seed_service.live, DOCUMENTS[1])
    assert len(passages) > 8  # more than one map batch
    first, ninth = passages[0], passages[8]
    model = ByPrompt(
        replies={
            '<passage n="1"': f"{first.sentence_text(0)} [1]. Invented claim about MIRI [3]. [99]",
            '<passage n="9"': f"{ninth.sentence_text(0)} [9].",
            "<notes>": f"{ninth.sentence_text(0)} [9]. {first.sentence_text(0)} [1] [44].",
        }
    )
    summary = summarized_with(seed_service, LLMAnswerer(model, seed_service.embedder))
    assert summary.path == "llm" and summary.verification["reduce"] == "verified"
    assert summary.verification["markers_invented"] >= 1
    assert "MIRI" not in summary.text and "[44]" not in summary.text
    assert [c.n for c in summary.citations] == [1, 2]
    assert summary.citations[0].line_start == ninth.sentences[0].line_start
    [notes] = [p for p in model.prompts if "<notes>" in p]
    assert "[9]" in notes and "[1]" in notes and "MIRI" not in notes  # only verified notes


def test_a_failing_llm_leaves_the_offline_summary(seed_service):
    generator = LLMAnswerer(ByPrompt(replies={}), seed_service.embedder)
    summary = summarized_with(seed_service, generator, DOCUMENTS[0])
    assert summary.path == "extractive" and summary.citations
    assert summary.verification["llm_fallback"]
    assert_verbatim_and_cited(summary, seed_service.settings.corpus_dir)


def seedbot(args, base: Path, corpus: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHROMA_", "LLM_"))}
    env.update(CORPUS_DIR=str(corpus), STORE_DIR=str(base / "store"), LOG_LEVEL="WARNING")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=base,
        env=env,
    )


def test_the_summary_command_prints_json_and_names_unknown_documents(tmp_path, corpus):
    assert seedbot(["index"], tmp_path, corpus).returncode == 0
    done = seedbot(["summary", "003", "--json"], tmp_path, corpus)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"title", "summary", "citations", "path", "timings_ms"} <= set(data)
    assert data["path"] == "extractive" and data["citations"][0]["source"] == DOCUMENTS[1]
    missing = seedbot(["summary", "nope.txt"], tmp_path, corpus)
    assert missing.returncode == 2 and DOCUMENTS[0] in missing.stderr


class Stalling(ByPrompt):
    """ByPrompt, but a prompt holding `stall` never gets a reply, and calls at once are counted."""

    stall: str = "\x00"
    in_flight: int = 0
    most_in_flight: int = 0

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.stall in str(messages[-1].content):
                await asyncio.Event().wait()  # cancelled at the call's deadline
            await asyncio.sleep(0)
            return self._generate(messages, stop, None, **kwargs)
        finally:
            self.in_flight -= 1


@pytest.mark.timeout(60)
def test_map_calls_keep_finished_notes_when_one_times_out_one_call_at_a_time(seed_service):
    passages = load_passages(seed_service.live, DOCUMENTS[1])
    first = passages[0]
    model = Stalling(
        replies={'<passage n="1"': f"{first.sentence_text(0)} [1].", "<notes>": ""},
        stall='<passage n="9"',
    )
    generator = LLMAnswerer(model, seed_service.embedder, timeout_s=0.5, concurrency=1)
    summary = summarized_with(seed_service, generator)
    assert model.most_in_flight == 1
    assert summary.path == "llm" and first.sentence_text(0) in summary.text
    assert summary.verification["map_failures"]["timeout"] == 1
    assert summary.verification["reduce_fallback"] == "empty reply"


MARKDOWN_README = """# Grammars

GBNF is a format for defining formal grammars to constrain what a model may output.
You can use it to force the model to generate valid JSON or to answer only yes or no.

## JSON schemas

A JSON schema can be converted to a grammar before generation starts, by a small script.
The JSON schema is only used to constrain the output and is never shown to the model itself.

<details>
<summary>Show JSON schema</summary>

```
root ::= "{" space name-kv "," space age-kv "}" space
name-kv ::= "\\"name\\"" space ":" space string
```

</details>
"""


def test_markdown_summaries_hold_statements_not_fenced_code_or_layout_labels(
    settings, embedder, tmp_path
):
    docs = _docs_service(settings, embedder, tmp_path, "grammars.md", MARKDOWN_README)
    for summary in (docs.summarize(document="grammars.md"), docs.summarize(topic="JSON schema")):
        assert summary.citations and not summary.refused
        for citation in summary.citations:
            assert "::=" not in citation.quote  # a grammar rule inside the fence is code
            assert "<summary>" not in citation.quote  # a layout label says nothing
