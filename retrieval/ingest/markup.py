"""Inline markup read as a reader reads it, for embedding: ":meth:`~iterator.__next__`" is
"__next__", "`sorted <https://…>`_" is "sorted", "**bold**" is "bold".

Only what the embedder sees changes; answers and citations quote the text as it is written.
reStructuredText roles and links would otherwise weigh on a sentence's vector as much as its
words do, so a sentence full of markup matches plain questions badly.
"""

from __future__ import annotations

import re

_ROLE = re.compile(r":[\w.+-]+:`([^`]+)`")  # :meth:`~iterator.__next__`, :term:`iterable`
_RST_LINK = re.compile(r"`([^`<]+?)\s*<[^>`]+>`__?")  # `Python <https://python.org>`_
_TARGET = re.compile(r"^(.+?)\s*<[^>]+>$")  # "title <target>" inside a role
_MD_LINK = re.compile(r"!?\[([^\]]+)\]\([^)\s]+(?:\s+\"[^\"]*\")?\)")  # [text](url)
_LITERAL = re.compile(r"``([^`]+)``|`([^`]+)`")
# Only asterisks: underscores are far more often part of a name ("__next__") than emphasis.
_EMPHASIS = re.compile(r"(?<![\w*])(\*{1,2})(?=\S)([^*\n]+?)(?<=\S)\1(?![\w*])")


def plain(text: str) -> str:
    """`text` with inline reStructuredText and Markdown markup reduced to the words it shows."""
    text = _ROLE.sub(lambda m: _role_text(m.group(1)), text)
    text = _RST_LINK.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _LITERAL.sub(lambda m: m.group(1) or m.group(2), text)
    return _EMPHASIS.sub(r"\2", text)


def _role_text(content: str) -> str:
    """What a role shows: its title if it has one, the last part of a "~" target, or itself."""
    titled = _TARGET.match(content)
    if titled:
        return titled.group(1)
    if content.startswith("~"):
        return content[1:].rsplit(".", 1)[-1]
    return content.lstrip("!")
