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


# Roles whose content is a name in code (shown as a literal); others (:ref:, :term:) are words.
_CODE_ROLES = frozenset("func meth class mod attr data exc obj const keyword option envvar".split())
_ROLE_NAMED = re.compile(r":(?:py:)?([\w+-]+):`([^`]+)`")


def displayed(text: str) -> str:
    """`text` as an answer shows it: reStructuredText roles as what they render to
    (":func:`~functools.reduce`" is "`reduce`", ":ref:`filter`" is "filter"), a link as its
    title and address, and AsciiDoc's anchors and continuation marks left out. Markdown
    literals and emphasis read the same in a chat, so they stay; the HTML that Markdown files
    carry ("<br/>" in a table cell, "<details>" around a block) is left out."""
    text = _ROLE_NAMED.sub(_shown_role, text)
    text = _RST_LINK_SHOWN.sub(r"\1 <\2>", text)
    text = _HTML_BREAK.sub(" ", _HTML_BLOCK_TAG.sub("", text)).strip()
    return _asciidoc_shown(_QUOTE_MARK.sub("", text))


# Tags that only lay a page out, never inline code ("`<details>`" is kept: it is in backticks).
_HTML_BLOCK_TAG = re.compile(r"(?<!`)</?(?:details|summary|div|p|span|center|sup|sub)\b[^>]*>(?!`)")
_HTML_BREAK = re.compile(r"(?<!`)<br\s*/?>(?!`)", re.IGNORECASE)
_QUOTE_MARK = re.compile(r"^>\s+")  # Markdown's blockquote: the quote shows without its ">"


# AsciiDoc: "[[anchor]]" ids, a "+" that joins a paragraph to a list item, "linkgit:git-log[1]"
# (a man page, not a footnote), and a labelled item's "::" after its question.
_ANCHOR = re.compile(r"\[\[[\w.:-]+\]\]\s*")
_CONTINUATION = re.compile(r"^\+\s+")
_LINKGIT = re.compile(r"\blinkgit:([\w.-]+)\[(\d+)\]")
_LABELLED = re.compile(r"(?<=[?!.])::$")


def _asciidoc_shown(text: str) -> str:
    text = _LINKGIT.sub(r"\1(\2)", _ANCHOR.sub("", text))
    return _LABELLED.sub("", _CONTINUATION.sub("", text))


_RST_LINK_SHOWN = re.compile(r"`([^`<]+?)\s*<([^>`]+)>`__?")


def _shown_role(match: re.Match[str]) -> str:
    words = _role_text(match.group(2))
    return f"`{words}`" if match.group(1) in _CODE_ROLES else words
