"""Hostile text for fuzzing: what members and corpus files can contain, at its worst."""

from __future__ import annotations

import re

import hypothesis.strategies as st

FRAGMENTS = [
    "```",
    "```py\n",
    "`",
    "**",
    "__",
    "~~",
    "||",
    "> ",
    "# ",
    "-# ",
    "[link](https://x.y)",
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@!42>",
    "<@&987654321>",
    "<#55555>",
    "[99]",
    "[1]",
    "[0]",
    "[12]",
    " [3]",
    "[n]",
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2069",
    "\u200b",
    "\u200d",
    "\u200f",
    "\ufeff",
    "\u00ad",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\x7f",
    "\r\n",
    "\r",
    "\t",
    "\n\n",
    "\u2028",
    "\u0085",
    "שלום",
    "مرحبا",
    "𝕊𝕖𝕖𝕕",
    "e\u0301",
    "🙂",
    "\ud800",
    "\U0010ffff",
    "schemer",
    "SGD",
    "o1",
    "RLHF",
    "Why?",
    ".",
    "...",
]
# Every code point class, lone surrogates included (a CLI can receive them via surrogateescape).
ANY_CHAR = st.characters(codec=None, exclude_categories=())

hostile_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHAR, max_size=12)), max_size=30
).map("".join)

MASS_MENTION = re.compile(r"@(everyone|here)\b")
TAG = re.compile(r"<(@[!&]?|#)\d+>")
MARKER = re.compile(r"\[(\d+)\]")


def pings(text: str) -> bool:
    """Whether Discord would turn something in `text` into a mention."""
    return bool(MASS_MENTION.search(text) or TAG.search(text))


def hostile_lines() -> st.SearchStrategy[str]:
    """Corpus-like text: hostile sentences among plain ones, in paragraphs and long lines."""
    plain = st.sampled_from(
        [
            "The schemer hides its goals during training.",
            "Gradient descent punishes wasted computation.",
            "Open agency keeps the planner and the actor apart.",
        ]
    )
    line = st.lists(st.one_of(plain, hostile_text), min_size=1, max_size=4).map(" ".join)
    return st.lists(line, min_size=1, max_size=8).map("\n".join)
