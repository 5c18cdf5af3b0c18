"""Reading what the bot did from the double's record of REST calls."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.discord_double import DiscordDouble, RecordedCall, SentInteraction

ZWSP = "\u200b"
TIMEOUT = 20.0


async def acknowledgement(double: DiscordDouble, sent: SentInteraction) -> RecordedCall:
    """The interaction's callback (defer or immediate message)."""
    return await double.wait_for_call(method="POST", path=sent.callback_path, timeout=TIMEOUT)


async def reply(double: DiscordDouble, sent: SentInteraction, index: int = 0) -> dict:
    """The body of the interaction's `index`-th message: the immediate one or a follow-up."""
    ack = await acknowledgement(double, sent)
    if ack.json_body["type"] == 4:
        assert index == 0
        return ack.json_body["data"]
    calls = await followups(double, sent, index + 1)
    return calls[index].json_body


async def followups(double: DiscordDouble, sent: SentInteraction, count: int) -> list[RecordedCall]:
    """The first `count` follow-up messages (POSTs to the interaction's webhook)."""

    def enough(_call: RecordedCall) -> bool:
        return len(double.calls_to("POST", sent.webhook_path)) >= count

    await double.wait_for_call(enough, method="POST", path=sent.webhook_path, timeout=TIMEOUT)
    return double.calls_to("POST", sent.webhook_path)[:count]


async def final_edit(double: DiscordDouble, sent: SentInteraction, needle: str) -> dict:
    """The edit of the original response whose content contains `needle`."""
    call = await double.wait_for_call(
        lambda c: needle in (c.json_body or {}).get("content", ""),
        method="PATCH",
        path=f"{sent.webhook_path}/messages/@original",
        timeout=TIMEOUT,
    )
    return call.json_body


def calls_for(double: DiscordDouble, sent: SentInteraction) -> list[RecordedCall]:
    """Every call the bot made with this interaction's token, in order."""
    return [c for c in double.calls if sent.token in c.path]


def flat(text: str) -> str:
    return " ".join(text.replace(ZWSP, "").split())


def quoted(field_value: str) -> str:
    """The quote of a sources field: the first line, without its quotation marks."""
    return field_value.split("\n")[0].strip("“”").rstrip("…")


def verbatim_in_corpus(corpus: Path, source: str, quote: str) -> bool:
    """Whether `quote` (whitespace-flattened, maybe clipped) is in the corpus file as written."""
    return flat(quote) in flat((corpus / source).read_text(encoding="utf-8"))


def markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


class VirtualTime:
    """The clock and sleep of the bot's pace (bot/progress.py): time moves only when the test
    calls `advance`, so progress shows exactly when the test says and no test waits it out."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeping: list[float] = []  # the times sleepers wait for
        self._moved = asyncio.Condition()
        self._slept = asyncio.Event()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        target = self.now + seconds
        self.sleeping.append(target)
        self._slept.set()
        try:
            async with self._moved:
                await self._moved.wait_for(lambda: self.now >= target)
        finally:
            self.sleeping.remove(target)

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        async with self._moved:
            self._moved.notify_all()

    async def sleeper(self) -> float:
        """The time a sleeper waits for, once one is asleep (waiting for one to fall asleep)."""
        while not self.sleeping:
            self._slept.clear()
            await asyncio.wait_for(self._slept.wait(), TIMEOUT)
        return self.sleeping[-1]
