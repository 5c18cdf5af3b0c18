"""Answers, summaries and listings as Discord messages: within limits, cited, and unable to ping."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import discord

from bot.wording import lines_label
from retrieval.types import CODE_INDENT, Citation

# Discord's limits (https://discord.com/developers/docs/resources/message#create-message).
MESSAGE_CHARS = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
EMBED_FIELDS = 25
EMBED_TOTAL = 6000  # across every embed of one message
MESSAGE_EMBEDS = 10
THREAD_NAME = 100
CHOICE_NAME = 100
MAX_URL = 512

NO_MENTIONS = discord.AllowedMentions.none()
ZWSP = "\u200b"
COLOUR = discord.Colour.blurple()

_MASS_MENTION = re.compile(r"@(everyone|here)\b")
_TAG = re.compile(r"<(@[!&]?|#)(\d+)>")
_FENCE = re.compile(r"`{3,}")
# Where a long text may be cut, coarsest first. A cut never falls before a citation
# marker, so "[2]" always stays on the line of the sentence it cites.
_NOT_BEFORE_MARKER = r"(?!\[\d+\])"
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE = re.compile(
    r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’')])|(?<=\[\d\])|(?<=\[\d\d\]))\s+" + _NOT_BEFORE_MARKER
)
_WORD = re.compile(r"\s+" + _NOT_BEFORE_MARKER)
_LEVELS = (_PARAGRAPH, _SENTENCE, _WORD)


@dataclass
class Part:
    """One message to send: text and the embeds that go with it."""

    content: str = ""
    embeds: list[discord.Embed] = field(default_factory=list)


_ANY_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|@(?:everyone|here)\b")
# A generated sentence that addresses members is no answer about the texts: the LLM check drops
# it (an injected passage may ask the model to ping), besides every mention being inert here.
ADDRESSES_MEMBERS = re.compile(r"@(?:everyone|here)\b|<@[!&]?\d+>")


def without_mentions(text: str) -> str:
    """A member's question without the mentions around it: they say nothing about the texts."""
    return " ".join(_ANY_MENTION.sub(" ", text).split())


def neutralise(text: str) -> str:
    """The text with mentions made inert, and code fences too.

    A fence from a quote or a topic would otherwise turn the rest of the message into code.
    """
    text = _MASS_MENTION.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)
    text = _FENCE.sub(lambda m: ZWSP.join(m.group()), text)
    return _TAG.sub(lambda m: f"<{m.group(1)}{ZWSP}{m.group(2)}>", text)


def split_text(text: str, limit: int = MESSAGE_CHARS) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters at paragraph, sentence or word ends."""
    pieces = (piece.strip() for piece in _pack(text.strip(), limit, 0))
    return [piece for piece in pieces if piece]


def _pack(text: str, limit: int, level: int) -> list[str]:
    if len(text.rstrip()) <= limit:
        return [text]
    if level == len(_LEVELS):  # one "word" longer than a message: nothing else to do
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    chunks, current = [], ""
    for segment in _segments(text, _LEVELS[level]):
        if len((current + segment).rstrip()) <= limit:
            current += segment
            continue
        if current.strip():
            chunks.append(current)
        *done, current = _pack(segment, limit, level + 1)
        chunks.extend(done)
    chunks.append(current)
    return chunks


def _segments(text: str, boundary: re.Pattern[str]) -> list[str]:
    """`text` cut after each boundary, each piece keeping the whitespace that follows it."""
    pieces, start = [], 0
    for match in boundary.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]


def clip(text: str, limit: int) -> str:
    """`text` shortened to `limit` characters at a word end, with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    at_word_end = cut[-1:].isspace() or text[limit - 1].isspace()
    if not at_word_end and len(cut.split()) > 1:
        cut = cut.rsplit(None, 1)[0]  # drop the word the cut went through
    return cut.rstrip() + "…"


def flat(text: str) -> str:
    return " ".join(text.split())


def citation_heading(citation: Citation) -> str:
    return clip(
        neutralise(f"[{citation.n}] {citation.source}, {lines_label(citation)}"), FIELD_NAME
    )


def sources_embeds(citations: Sequence[Citation], title: str = "Sources") -> list[discord.Embed]:
    """The citations as embed fields (file, lines, the quote, a link), split to fit the limits."""
    fields = [(citation_heading(c), _field_value(c)) for c in citations]
    embeds: list[discord.Embed] = []
    for name, value in fields:
        embed = embeds[-1] if embeds else None
        too_many = embed is None or len(embed.fields) == EMBED_FIELDS
        if too_many or len(embed) + len(name) + len(value) > EMBED_TOTAL:
            embed = discord.Embed(
                title=title if not embeds else f"{title} (continued)", colour=COLOUR
            )
            embeds.append(embed)
        embed.add_field(name=name, value=value, inline=False)
    return embeds


def _field_value(citation: Citation) -> str:
    # A URL too long for a field is left out rather than cut into a broken link.
    link = f"\n[Open the source]({citation.url})" if 0 < len(citation.url) <= MAX_URL else ""
    quote = clip(neutralise(flat(citation.quote)), FIELD_VALUE - len(link) - 2)
    return f"“{quote}”{link}"


def passage_embeds(citations: Sequence[Citation]) -> list[discord.Embed]:
    """Each cited passage in full, one embed (or several for a very long one) per citation."""
    embeds = []
    for c in citations:
        pieces = split_text(neutralise(c.quote), EMBED_DESCRIPTION)
        for i, piece in enumerate(pieces):
            heading = citation_heading(c) + ("" if i == 0 else " (continued)")
            embed = discord.Embed(
                title=clip(heading, EMBED_TITLE), description=piece, colour=COLOUR
            )
            if c.url:
                embed.url = c.url
            embeds.append(embed)
    return embeds


def group_embeds(embeds: Iterable[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages: at most ten and 6,000 characters per message."""
    groups: list[list[discord.Embed]] = []
    total = 0
    for embed in embeds:
        if not groups or len(groups[-1]) == MESSAGE_EMBEDS or total + len(embed) > EMBED_TOTAL:
            groups.append([])
            total = 0
        groups[-1].append(embed)
        total += len(embed)
    return groups


def cited_parts(text: str, citations: Sequence[Citation], heading: str = "") -> list[Part]:
    """Text cut into messages, then the sources embeds on the last message(s)."""
    body = fenced(neutralise(f"{heading}\n\n{text}" if heading else text))
    parts = [Part(chunk) for chunk in split_text(body)] or [Part("(empty)")]
    groups = group_embeds(sources_embeds(citations)) if citations else []
    if groups:
        parts[-1].embeds = groups[0]
        parts.extend(Part(embeds=group) for group in groups[1:])
    return parts


_TRAILING_MARKERS = re.compile(r"(?:\s*\[\d+\])+\s*$")


def fenced(text: str) -> str:
    """The answer's code lines (those the core indents by CODE_INDENT) as Discord code blocks.

    A block stands apart as a paragraph of its own, so a long answer is cut around it rather
    than inside it; the citation markers after its last line follow the closing fence.
    """
    out: list[str] = []
    block: list[str] = []

    def close() -> None:
        if block:
            markers = _TRAILING_MARKERS.search(block[-1])
            if markers:
                block[-1] = block[-1][: markers.start()]
            out.append(
                "\n```\n" + "\n".join(block) + "\n```" + (markers.group() if markers else "")
            )
            out.append("")
            block.clear()

    for line in text.split("\n"):
        if line.startswith(CODE_INDENT):
            block.append(line[len(CODE_INDENT) :])
        else:
            close()
            out.append(line)
    close()
    return "\n".join(out).strip("\n")


def thread_name(title: str) -> str:
    """A thread name from the question: one line, at most 100 characters."""
    return clip(flat(title).replace("@", "@" + ZWSP), THREAD_NAME) or "Question"


def sources_embed(info) -> discord.Embed:
    """The indexed documents with their sizes, and when the index was last refreshed."""
    built = int(info.built_at)
    head = (
        f"{len(info.documents)} documents, {info.passages:,} passages. "
        f"Last refreshed <t:{built}:f> (<t:{built}:R>)."
    )
    rows = [
        f"• `{neutralise(source)}`: {doc['lines']:,} lines, {doc['chars']:,} characters, "
        f"{doc['chunks']} passages"
        for source, doc in sorted(info.documents.items())
    ]
    return discord.Embed(title="Indexed documents", description=_listing(head, rows), colour=COLOUR)


def _listing(head: str, rows: list[str], limit: int = EMBED_DESCRIPTION) -> str:
    """A heading and rows, the rows cut short with a count of the rest when they don't fit."""
    text = head
    for index, row in enumerate(rows):
        rest = f"\n… and {len(rows) - index} more"
        if len(text) + 1 + len(row) + len(rest) > limit:
            return text + rest
        text += "\n" + row
    return text


def progress_text(stage: str, done: int, total: int) -> str:
    count = f": {done:,} of {total:,}" if total > 1 else ""
    return f"Refreshing the index… {stage}{count}"


def report_text(report) -> str:
    """The counts a refresh ends with, and the time it took."""
    files = ", ".join(f"{len(v)} {k}" for k, v in report.files.items() if v) or "no files"
    text = (
        f"Index refreshed in {report.seconds:.1f} s. Passages: {report.added} added, "
        f"{report.updated} updated, {report.deleted} deleted, {report.unchanged} unchanged "
        f"(files: {files})."
    )
    skipped = [f"\nSkipped `{neutralise(source)}`: {why}" for source, why in report.skipped]
    return clip(text + "".join(skipped), MESSAGE_CHARS)


def feedback_embed(downvoted: Sequence) -> discord.Embed:
    """The answers most recently voted 👎, newest first, with links to them."""
    embed = discord.Embed(title="Recent 👎 answers", colour=discord.Colour.red())
    if not downvoted:
        embed.description = "No answer has been voted 👎 yet."
    for item in downvoted[:EMBED_FIELDS]:
        posted = item.posted
        name = clip(
            neutralise(f"👎 {item.down} · 👍 {item.up} · {flat(posted.question)}"), FIELD_NAME
        )
        link = f"\n[Jump to the answer]({posted.jump_url})" if posted.jump_url else ""
        sources = ", ".join(sorted({c.source for c in posted.citations})) or "no sources"
        body = clip(neutralise(flat(posted.answer)), 600)
        value = clip(f"{body}\n*Cited: {neutralise(sources)}*", FIELD_VALUE - len(link)) + link
        if len(embed) + len(name) + len(value) > EMBED_TOTAL:
            break
        embed.add_field(name=name, value=value, inline=False)
    return embed
