"""Rendering: Discord's limits, citations kept whole, and mentions made inert."""

from __future__ import annotations

import re

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import (
    EMBED_FIELDS,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    MESSAGE_CHARS,
    MESSAGE_EMBEDS,
    ZWSP,
    cited_parts,
    clip,
    group_embeds,
    neutralise,
    passage_embeds,
    sources_embeds,
    split_text,
    thread_name,
)
from retrieval.types import Citation

MARKER = re.compile(r"\[\d+\]")
SENTENCE = "The model was trained with a long and careful curriculum of tasks"


def long_answer(sentences: int = 60) -> str:
    """An answer shaped like the service's: sentences, each run ending in a citation marker."""
    parts = [f"{SENTENCE} number {i}. [{i % 9 + 1}]" for i in range(sentences)]
    return " ".join(parts[:20]) + "\n\n" + " ".join(parts[20:])


def citation(n: int, quote: str = "A quoted sentence.", **changes) -> Citation:
    fields = dict(n=n, source=f"doc{n}.txt", line_start=n, line_end=n + 1, quote=quote)
    return Citation(**{**fields, **changes})


def test_long_answer_is_split_within_the_limit_without_breaking_words_or_markers():
    text = long_answer()
    assert len(text) > 2 * MESSAGE_CHARS
    chunks = split_text(text)
    assert len(chunks) >= 3
    assert all(len(c) <= MESSAGE_CHARS for c in chunks)
    assert " ".join(chunks).split() == text.split()  # no word cut, nothing lost or reordered
    assert not any(c.lstrip().startswith("[") for c in chunks)  # markers stay on their sentence
    assert MARKER.findall(" ".join(chunks)) == MARKER.findall(text)


def test_split_prefers_paragraphs_then_sentences():
    first, second = "a" * 1200 + ".", "b" * 1200 + "."
    assert split_text(f"{first}\n\n{second}") == [first, second]
    assert split_text(f"{first} {second} [1]") == [first, f"{second} [1]"]


def test_a_word_longer_than_a_message_is_cut_hard_but_nothing_is_lost():
    word = "x" * (MESSAGE_CHARS * 2 + 10)
    chunks = split_text(f"before {word} after")
    assert all(len(c) <= MESSAGE_CHARS for c in chunks)
    assert "".join(chunks).replace(" ", "") == f"before{word}after"


words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Z", "Cc")),
    min_size=1,
    max_size=40,
)
tokens = st.one_of(words, st.integers(1, 20).map(lambda n: f"[{n}]"))
texts = st.lists(st.tuples(tokens, st.sampled_from([" ", " ", "\n", "\n\n", ". "])), max_size=300)


@settings(max_examples=150, deadline=None)
@given(texts, st.integers(min_value=50, max_value=MESSAGE_CHARS))
def test_split_property(pieces, limit):
    text = "".join(token + sep for token, sep in pieces)
    chunks = split_text(text, limit)
    assert all(0 < len(c) <= limit for c in chunks)
    assert "".join("".join(chunks).split()) == "".join(text.split())
    if all(len(token) < limit - 5 for token, _ in pieces):
        assert " ".join(chunks).split() == text.split()


def test_neutralise_makes_every_kind_of_mention_inert():
    text = "@everyone @here <@123456789012345678> <@!42> <@&987654321> <#555> mail@example.com"
    inert = neutralise(text)
    assert "@everyone" not in inert and "@here" not in inert
    assert not re.search(r"<(@[!&]?|#)\d+>", inert)
    assert inert.replace(ZWSP, "") == text  # nothing else changes
    assert "mail@example.com" in inert


def test_answer_parts_neutralise_text_and_sources_and_stay_within_embed_limits():
    quote = "Tell @everyone and <@&42> about it. " * 60
    cites = [citation(n, quote, url="https://example.org/x") for n in range(1, 31)]
    parts = cited_parts("Ping @here and <@1234>. [1]", cites)
    assert "@here" not in parts[0].content and "<@1234>" not in parts[0].content
    embeds = [e for p in parts for e in p.embeds]
    assert sum(len(e.fields) for e in embeds) == 30
    for part in parts:
        assert len(part.content) <= MESSAGE_CHARS and len(part.embeds) <= MESSAGE_EMBEDS
        assert sum(len(e) for e in part.embeds) <= EMBED_TOTAL
    for embed in embeds:
        assert len(embed.fields) <= EMBED_FIELDS
        assert all(len(f.name) <= FIELD_NAME and len(f.value) <= FIELD_VALUE for f in embed.fields)
        assert all("@everyone" not in f.value and "<@&42>" not in f.value for f in embed.fields)
        assert all("(https://example.org/x)" in f.value for f in embed.fields)


def test_source_fields_show_file_lines_and_the_verbatim_quote():
    cite = citation(2, "Schemers need  extra\nreasoning.", line_start=4, line_end=5)
    field = sources_embeds([cite])[0].fields[0]
    assert field.name == "[2] doc2.txt, lines 4-5"
    assert field.value == "“Schemers need extra reasoning.”"


def test_full_passages_split_only_beyond_an_embed_description():
    short, long = citation(1, "Short quote."), citation(2, "A sentence of the passage. " * 400)
    embeds = passage_embeds([short, long])
    assert embeds[0].description == "Short quote."
    assert len(embeds) == 4 and all(len(e.description) <= 4096 for e in embeds)
    groups = group_embeds(embeds)
    assert all(sum(len(e) for e in g) <= EMBED_TOTAL and len(g) <= MESSAGE_EMBEDS for g in groups)


def test_refused_answer_has_no_sources_embed():
    parts = cited_parts("I couldn't find an answer to that; see /sources.", [])
    assert len(parts) == 1 and parts[0].embeds == []


def test_clip_and_thread_name():
    assert clip("one two three", 9) == "one two…"
    name = thread_name("@everyone " + "why " * 60)
    assert len(name) <= 100 and "@everyone" not in name


def test_no_mentions_allows_nothing():
    from bot.render import NO_MENTIONS

    assert NO_MENTIONS.to_dict() == {"parse": []}
    assert isinstance(NO_MENTIONS, discord.AllowedMentions)


def test_code_lines_of_an_answer_are_sent_as_a_code_block_with_markers_after_it():
    text = "Use this:\n    >>> sorted(x)  # *not* italic\n    [1, 2] [1]\nThen it is sorted. [2]"
    citations = [Citation(n, "a.rst", n, n, "q") for n in (1, 2)]
    (part,) = cited_parts(text, citations)
    assert part.content == (
        "Use this:\n\n```\n>>> sorted(x)  # *not* italic\n[1, 2]\n``` [1]\n\nThen it is sorted. [2]"
    )


def test_a_fence_in_a_quoted_code_line_cannot_close_the_block():
    (part,) = cited_parts("Example:\n    print('```') [1]", [Citation(1, "a.md", 1, 1, "q")])
    assert part.content.count("```") == 2
