"""Progress while a slow model works, through discord.py's real client on the double.

The model and the citation check's embedder are held at gates the test opens, and the bot's
pace runs on virtual time, so each edit happens exactly when the test lets it: no test waits.
"""

from __future__ import annotations

import asyncio
import threading

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from bot.progress import PROGRESS_INTERVAL_S
from bot.wording import STAGE_WORDS
from retrieval.llm.answerer import LLMAnswerer
from retrieval.progress import CHECK, WRITE
from tests.bot.helpers import TIMEOUT, VirtualTime, acknowledgement, markers, reply

QUESTION = "What is a speed argument against schemers?"


class Gate:
    """Where a worker thread stops until the test opens it."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.opened = threading.Event()

    def pass_through(self) -> None:
        self.reached.set()
        assert self.opened.wait(TIMEOUT), "the test never opened the gate"

    async def wait_reached(self) -> None:
        assert await asyncio.to_thread(self.reached.wait, TIMEOUT)


class GatedEmbeddings(Embeddings):
    """The real embedder, behind a gate: holds the citation check until the test opens it."""

    def __init__(self, inner: Embeddings, gate: Gate) -> None:
        self.inner, self.gate = inner, gate

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.gate.pass_through()
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.gate.pass_through()
        return self.inner.embed_query(text)


def slow_model(service, writing: Gate, checking: Gate) -> None:
    """Plug a model into `service` that writes a verifiable answer once `writing` opens."""
    found = service.search(QUESTION, 6)
    n = next(i for i, p in enumerate(found, 1) if "speed argument" in p.text)

    def replies():
        writing.pass_through()
        yield f"SGD would punish the extra reasoning that schemers perform [{n}]."

    model = GenericFakeChatModel(messages=replies())
    embedder = GatedEmbeddings(service.embedder, checking)
    service.use_generator(LLMAnswerer(model, embedder, timeout_s=TIMEOUT))


def edits(double, path: str) -> list[str]:
    return [c.json_body.get("content") for c in double.calls_to("PATCH", path)]


async def nth_edit(double, path: str, n: int):
    """The `n`-th edit of the message at `path`, once it is made."""

    def made(_call) -> bool:
        return len(double.calls_to("PATCH", path)) >= n

    await double.wait_for_call(made, method="PATCH", path=path, timeout=TIMEOUT)
    return double.calls_to("PATCH", path)[n - 1]


async def test_a_slow_answer_shows_its_stages_at_the_pace_then_the_answer(
    double, make_bot, service
):
    time, writing, checking = VirtualTime(), Gate(), Gate()
    slow_model(service, writing, checking)
    await make_bot(service, time=time)
    sent = await double.send_slash_command("ask", {"question": QUESTION})
    assert (await acknowledgement(double, sent)).json_body["type"] == 5
    original = f"{sent.webhook_path}/messages/@original"
    deferred_at = time.now

    await writing.wait_reached()  # searched, and the model is writing
    assert await time.sleeper() == deferred_at + PROGRESS_INTERVAL_S  # not sooner
    assert edits(double, original) == []
    await time.advance(PROGRESS_INTERVAL_S)
    await double.wait_for_call(method="PATCH", path=original, timeout=TIMEOUT)
    # "Searching" was overtaken before its turn came: only the latest stage is shown.
    assert edits(double, original) == [STAGE_WORDS[WRITE]]

    writing.opened.set()
    await checking.wait_reached()  # the reply is in; its citations are being checked
    assert await time.sleeper() == time.now + PROGRESS_INTERVAL_S  # from the last edit
    assert edits(double, original) == [STAGE_WORDS[WRITE]]
    await time.advance(PROGRESS_INTERVAL_S)
    await nth_edit(double, original, 2)
    assert edits(double, original) == [STAGE_WORDS[WRITE], STAGE_WORDS[CHECK]]

    checking.opened.set()
    answer = await nth_edit(double, original, 3)
    assert markers(answer.json_body["content"]) == [1]  # the answer replaced the progress
    assert answer.json_body["embeds"] and answer.json_body["components"]
    assert double.calls_to("POST", sent.webhook_path) == []  # no second message
    await time.advance(10 * PROGRESS_INTERVAL_S)
    assert len(edits(double, original)) == 3  # nothing shown after the answer
    await double.wait_for_call(method="POST", path=f"/messages/{sent.original_id}/threads")


async def test_a_quick_model_answer_shows_no_progress(double, make_bot, service):
    time, writing, checking = VirtualTime(), Gate(), Gate()
    writing.opened.set(), checking.opened.set()
    slow_model(service, writing, checking)
    await make_bot(service, time=time)
    sent = await double.send_slash_command("ask", {"question": QUESTION})
    body = await reply(double, sent)  # the follow-up that replaces "thinking…"
    assert markers(body["content"]) == [1]
    assert edits(double, f"{sent.webhook_path}/messages/@original") == []


async def test_a_question_in_a_message_gets_a_progress_reply_that_becomes_the_answer(
    double, make_bot, service
):
    time, writing, checking = VirtualTime(), Gate(), Gate()
    checking.opened.set()
    slow_model(service, writing, checking)
    bot = await make_bot(service, time=time)
    asked = await double.send_message(
        double.channel_id, double.member, f"{bot.user.mention} {QUESTION}"
    )
    await writing.wait_reached()
    await time.sleeper()
    await time.advance(PROGRESS_INTERVAL_S)
    progress = await double.wait_for_message(
        lambda m: (m.get("message_reference") or {}).get("message_id") == asked["id"],
        timeout=TIMEOUT,
    )
    assert progress["content"] == STAGE_WORDS[WRITE]
    writing.opened.set()
    path = f"/channels/{double.channel_id}/messages/{progress['id']}"
    answer = await double.wait_for_call(method="PATCH", path=path, timeout=TIMEOUT)
    assert markers(answer.json_body["content"]) == [1] and answer.json_body["embeds"]
    replies = [
        m
        for m in double.world.messages.values()
        if (m.get("message_reference") or {}).get("message_id") == asked["id"]
    ]
    assert [m["id"] for m in replies] == [progress["id"]]  # one reply: the answer


async def test_an_error_after_progress_withdraws_it_and_reports_the_error(
    double, make_bot, service, monkeypatch
):
    time, writing = VirtualTime(), Gate()
    slow_model(service, Gate(), Gate())  # a model is configured: progress is shown

    def failing(question, history=(), on_stage=None):
        on_stage(WRITE)
        writing.pass_through()
        raise RuntimeError("model server exploded")

    monkeypatch.setattr(service, "ask", failing)
    await make_bot(service, time=time)
    sent = await double.send_slash_command("ask", {"question": QUESTION})
    original = f"{sent.webhook_path}/messages/@original"
    await writing.wait_reached()
    await time.sleeper()
    await time.advance(PROGRESS_INTERVAL_S)
    await double.wait_for_call(method="PATCH", path=original, timeout=TIMEOUT)
    writing.opened.set()
    await double.wait_for_call(method="DELETE", path=original, timeout=TIMEOUT)
    body = await reply(double, sent)
    assert body["content"].startswith("Something went wrong on my side")
