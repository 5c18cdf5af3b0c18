"""Summaries of a document, a topic or the whole corpus, every sentence cited and checked.

Offline, a summary is extractive: the sentences nearest the centroid of the scope's
sentence vectors (those already in the index), chosen with maximal marginal relevance so
they do not repeat each other, each quoted verbatim and cited to its lines. With an LLM,
the passages are summarised in batches (map) and the verified notes combined (reduce);
every generated sentence goes through the same check as answers (retrieval.llm.citecheck).
Summaries are cached per index version, so a refresh invalidates them.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from retrieval.answer.analysis import analyse
from retrieval.answer.citations import compose, compose_parts
from retrieval.answer.evidence import is_heading_at, rank_evidence
from retrieval.answer.extractive import shown
from retrieval.answer.spans import (
    finishing,
    is_code,
    line_of,
    points_back,
    points_forward,
    same_paragraph,
)
from retrieval.errors import UnknownDocumentError
from retrieval.index.live import LiveIndex
from retrieval.index.store import Version
from retrieval.ingest.sentences import without_item_marker
from retrieval.search.keywords import terms
from retrieval.settings import Settings
from retrieval.types import Citation, Passage, Refusal, RefusalReason

MMR_LAMBDA = 0.7  # relevance against redundancy (Carbonell & Goldstein, 1998)
_MARKER = re.compile(r"\[(\d+)\]")
# A paragraph's first sentence usually states its point, and a document's first one most of all
# (the location feature of Edmundson, 1969): each is a bonus to its centrality.
LEAD_BONUS = 0.05
TOPIC_MMR_LAMBDA = 0.85  # on a topic, staying on it matters more than variety
TOPIC_PASSAGES = 12
TOPIC_MARGIN = 0.15  # a topic summary keeps sentences this close to the best match's cosine
MIN_WORDS, MAX_WORDS = 6, 70  # shorter says little; longer reads as a paragraph
NEAR_DUPLICATE = 0.92  # cosine above which two sentences say the same thing
LISTED_DOCUMENTS = 20
_POINTER = re.compile(r"^\W*(?:see|cf\.?|e\.g\.|for example|also)\b", re.IGNORECASE)
# A cross-reference: the point is elsewhere ("You can see git-var(1) for details on ...",
# "For more information about ..., see ...", "refer to git-tag(1) for details").
_REFERS_ON = re.compile(
    r"\b(?:see|refer to|consult)\b.{0,80}?\bfor (?:more |further |the )?(?:details|information|"
    r"more)\b|^\W*for (?:more|further) (?:details|information)\b",
    re.IGNORECASE,
)
_DANGLING = frozenset("and or but of a an the to with that which as for by in on".split())


@dataclass(frozen=True)
class Summary:
    """A summary: title, text with [n] markers, the citations, and how it was made.

    A refused summary (a topic the texts say nothing clear about, or nothing to summarise)
    has empty text and a `refusal`; the adapters word it.
    """

    title: str
    text: str
    citations: tuple[Citation, ...]
    path: str = "extractive"  # or "llm"
    refusal: Refusal | None = None
    topic: str | None = None
    verification: dict = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    # The text in reading order, grouped under lead-ins drawn from the texts (a section's
    # heading, a document's title or name): (lead-in, cited sentences); "" when there is none.
    sections: tuple[tuple[str, str], ...] = ()

    @property
    def refused(self) -> bool:
        return self.refusal is not None


class Summarizer:
    """Builds and caches summaries over the live index, with the ask path's policy and gate."""

    def __init__(self, live: LiveIndex, stages, settings: Settings) -> None:
        self.live = live
        self.stages = stages  # retrieval.chain.AskStages: retriever, policy, gate, generator
        self.settings = settings
        self._cache: dict[tuple, Summary] = {}
        self._version = ""
        self._lock = threading.Lock()

    def summarize(self, document: str | None = None, topic: str | None = None) -> Summary:
        """The summary of `document`, of what the corpus says about `topic`, or of everything."""
        started = time.perf_counter()
        version = self.live.current().version
        source = resolve_document(document, version.documents) if document else None
        key = (source, " ".join(topic.lower().split()) if topic else None)
        with self._lock:
            if self._version != version.name:
                self._cache, self._version = {}, version.name
            cached = self._cache.get(key)
        if cached is not None:
            took = {"total": (time.perf_counter() - started) * 1000}
            return replace(
                cached, timings_ms=took, verification={**cached.verification, "cached": True}
            )
        summary = self._build(version, source, topic)
        took = {**summary.timings_ms, "total": (time.perf_counter() - started) * 1000}
        summary = replace(summary, timings_ms=took)
        with self._lock:
            if self._version == version.name:
                self._cache[key] = summary
        return summary

    def _build(self, version: Version, source: str | None, topic: str | None) -> Summary:
        timings: dict[str, float] = {}
        title = _title(version, source, topic)
        started = time.perf_counter()
        if topic:
            passages, focus = self._topic_passages(topic, source)
        else:
            passages, focus = load_passages(self.live, source), None
        timings["load"] = (time.perf_counter() - started) * 1000
        if not passages:
            return _nothing_on(title, topic, timings)
        corpus = source is None and not topic
        summary = self._extractive(title, passages, focus, timings, corpus, topic)
        summary = replace(summary, topic=topic)
        if self.stages.generator is not None:
            summary = self._generated(summary, passages, focus, topic, timings)
        return self._gated(summary)

    def _extractive(self, title, passages, focus, timings, corpus: bool, topic=None) -> Summary:
        started = time.perf_counter()
        if corpus:
            chosen = [c for doc in _by_document(passages) for c in pick_sentences(doc, None, 1, 2)]
        else:
            chosen = pick_sentences(passages, focus, topic=topic)
        runs = _runs(chosen)
        claims = [(" ".join(shown(p.sentence_text(i)) for p, i in run), run) for run in runs]
        parts, citations = compose_parts(claims, per_sentence=True)
        firsts = [run[0] for run in runs]
        lead_ins = lead_ins_for(passages, firsts, by_document=corpus or focus is not None)
        timings["select"] = (time.perf_counter() - started) * 1000
        return Summary(
            title,
            " ".join(parts),
            tuple(citations),
            verification={"outcome": "extractive"},
            timings_ms=timings,
            sections=_sections(lead_ins, parts),
        )

    def _generated(self, offline: Summary, passages, focus, topic, timings) -> Summary:
        """The LLM's map-reduce summary if any of it is verified, else the offline one."""
        started = time.perf_counter()
        chosen = pick_passages(passages, focus)
        from retrieval.summary.llm import map_reduce  # LLM-only: keeps its imports off start-up

        kept, verification = map_reduce(self.stages.generator, chosen, topic)
        timings["llm"] = (time.perf_counter() - started) * 1000
        if not kept:
            return replace(offline, verification={**offline.verification, **verification})
        text, citations = compose(kept, per_sentence=True)
        return replace(
            offline, text=text, citations=tuple(citations), path="llm", verification=verification
        )

    def _topic_passages(self, topic: str, source: str | None):
        """Passages about the topic across documents (or in one), if the corpus speaks to it.

        The refusal policy decides, as for answers and with the same evidence window.
        """
        vector = self.stages.retriever.embed(topic)
        k = TOPIC_PASSAGES if source is None else TOPIC_PASSAGES * 4
        passages = self.live.search(topic, vector, k)
        if source is not None:
            passages = [p for p in passages if p.stands_whole_in(source)][:TOPIC_PASSAGES]
        keywords = self.live.current().keywords
        evidence = rank_evidence(topic, vector, passages, keywords)
        chance = self.stages.chance()
        if self.stages.policy.judge(analyse(topic), evidence, passages, keywords, chance).refused:
            return [], vector
        return passages, vector

    def _gated(self, summary: Summary) -> Summary:
        """The citation gate: a sentence whose quote is no longer at its lines is dropped."""
        gated = self.stages.gate.check(summary.text, summary.citations)
        verification = {**summary.verification, **gated.stats}
        summary = replace(summary, verification=verification)
        if not gated.rejected:
            return summary
        refusal = None if gated.citations else Refusal(RefusalReason.UNVERIFIED)
        return replace(summary, text=gated.text, citations=gated.citations, refusal=refusal)


def pick_sentences(
    passages: list[Passage],
    focus: np.ndarray | None,
    low: int = 0,
    high: int = 0,
    topic: str | None = None,
) -> list[tuple[Passage, int]]:
    """The most central, least repetitive sentences of the passages, in reading order.

    On a topic, the sentences that name it come first: a short name ("RLHF") sits far from
    its sentences in embedding space, but its word is in them.
    """
    candidates = _naming(passages, topic) if topic else []
    candidates = candidates or _candidates(passages)
    if not candidates:
        return []
    vectors = np.stack([p.sentence_vectors[i] for p, i in candidates])
    relevance = vectors @ _unit(vectors.mean(axis=0))
    relevance += LEAD_BONUS * np.array([opens_paragraph(p, i) for p, i in candidates])
    relevance += LEAD_BONUS * np.array([p.line_start == 1 and i == 0 for p, i in candidates])
    if focus is not None:
        # A sentence's passage counts too: "They are a nice way..." is about its passage's topic.
        context = np.stack([_unit(p.sentence_vectors.mean(axis=0)) for p, _ in candidates])
        on_topic = 0.5 * (vectors @ focus) + 0.5 * (context @ focus)
        near = on_topic >= on_topic.max() - TOPIC_MARGIN  # passages also hold asides
        candidates = [c for c, keep in zip(candidates, near) if keep]
        vectors, relevance = vectors[near], on_topic[near]
    low, high = (low, high) if high else (4, 8) if focus is not None else (3, 8)
    count = min(len(candidates), max(low, min(high, round(len(candidates) ** 0.5))))
    picked = mmr(vectors, relevance, count, MMR_LAMBDA if focus is None else TOPIC_MMR_LAMBDA)
    return sorted(_with_lead_ins([candidates[i] for i in picked]), key=_reading_order)


def _with_lead_ins(chosen: list[tuple[Passage, int]]) -> list[tuple[Passage, int]]:
    """A point that continues the sentence before it ("In particular, ...") brings it along;
    one that is no whole statement brings the sentence after it that takes it up ("In
    particular, that not removed by RLHF." / "This is surprisingly effective, but ..."), and
    one that stops on "a combination of" or a colon the lines that finish it, as answers do."""
    more = [
        (p, i - 1)
        for p, i in chosen
        if i > 0 and points_back(p.sentence_text(i)) and same_paragraph(p, i - 1)
    ]
    more += [
        (p, i + 1)
        for p, i in chosen
        if i + 1 < len(p.sentences)
        and same_paragraph(p, i)
        and not _whole_statement(shown(p.sentence_text(i)))
        and points_back(p.sentence_text(i + 1))
    ]
    more += [(p, j) for p, i in chosen for j in finishing(p, i)]
    unique = {(p.id, i): (p, i) for p, i in chosen + more}
    return list(unique.values())


def _runs(chosen: list[tuple[Passage, int]]) -> list[list[tuple[Passage, int]]]:
    """The chosen sentences in runs that read as one claim, cited once: a sentence and the
    next one of its paragraph when the first points forward or the next points back ("...
    is a combination of" / "“X” and" / "“Y.”")."""
    runs: list[list[tuple[Passage, int]]] = []
    for passage, index in chosen:
        if runs:
            before, at = runs[-1][-1]
            if (
                before.id == passage.id
                and at + 1 == index
                and same_paragraph(passage, at)
                and (
                    points_forward(before.sentence_text(at))
                    or points_back(passage.sentence_text(index))
                )
            ):
                runs[-1].append((passage, index))
                continue
        runs.append([(passage, index)])
    return runs


def pick_passages(passages: list[Passage], focus: np.ndarray | None, limit: int = 24):
    """Up to `limit` central, varied passages for the LLM, in reading order."""
    if len(passages) <= limit:
        return sorted(passages, key=lambda p: (p.source, p.line_start))
    vectors = np.stack([_unit(p.sentence_vectors.mean(axis=0)) for p in passages])
    relevance = vectors @ (focus if focus is not None else _unit(vectors.mean(axis=0)))
    picked = mmr(vectors, relevance, limit)
    return sorted((passages[i] for i in picked), key=lambda p: (p.source, p.line_start))


def mmr(
    vectors: np.ndarray, relevance: np.ndarray, count: int, weight: float = MMR_LAMBDA
) -> list[int]:
    """Maximal marginal relevance: each pick the most relevant unlike those already picked."""
    picked: list[int] = []
    closest = np.full(len(vectors), -1.0, dtype=np.float32)
    for _ in range(count):
        score = weight * relevance - (1 - weight) * np.maximum(closest, 0)
        score[picked] = -np.inf
        score[closest > NEAR_DUPLICATE] = -np.inf
        best = int(np.argmax(score))
        if not np.isfinite(score[best]):
            break
        picked.append(best)
        closest = np.maximum(closest, vectors @ vectors[best])
    return picked


def _naming(passages: list[Passage], topic: str) -> list[tuple[Passage, int]]:
    """The sentences that use a content word of the topic, once each (not its headings or
    code: a title or an example line is no statement about the topic); those of readable length
    when there are any (a label such as "Show JSON schema & grammar" names the topic, says
    nothing), and of those the ones that are no fragment of a list or pointer elsewhere."""
    wanted = set(terms(topic))
    found, readable, statements, seen = [], [], [], set()
    for passage in passages:
        for index in range(len(passage.sentences)):
            if is_heading_at(passage, index) or _code(passage, index):
                continue
            text = " ".join(passage.sentence_text(index).split())
            if text.lower() not in seen and wanted & set(terms(text)):
                seen.add(text.lower())
                found.append((passage, index))
                said = shown(text)
                if len(said.split()) >= MIN_WORDS:
                    readable.append((passage, index))
                    if not _fragment_or_pointer(said):
                        statements.append((passage, index))
    return statements or readable or found


def _fragment_or_pointer(text: str) -> bool:
    """A list item that finishes its list's lead-in ("<6> rebase internal topic branch ...")
    or a sentence that points elsewhere ("See the NOTES section in git-rebase(1) for more
    details"): it names the topic and says nothing of it."""
    item = without_item_marker(text)
    return (item != text and item[:1].islower()) or _points_elsewhere(text)


def _points_elsewhere(text: str) -> bool:
    """ "See section 2.2.4", "You can see git-var(1) for details on ...": the point is elsewhere."""
    return bool(_POINTER.match(text) or _REFERS_ON.search(text))


def _candidates(passages: list[Passage]) -> list[tuple[Passage, int]]:
    """Sentences fit to stand in a summary (whole statements of readable length), once each."""
    seen, fit, every = set(), [], []
    for passage in passages:
        for index in range(len(passage.sentences)):
            text = " ".join(passage.sentence_text(index).split())
            if text.lower() in seen or is_heading_at(passage, index):
                continue
            seen.add(text.lower())
            every.append((passage, index))
            if (
                _whole_statement(shown(text))
                and not _continues(passage, index)
                and not _code(passage, index)
            ):
                fit.append((passage, index))
    return fit or every


def _continues(passage: Passage, index: int) -> bool:
    """Whether the sentence finishes one begun before it ("... a combination of" / "“X” and")."""
    return (
        index > 0
        and same_paragraph(passage, index - 1)
        and points_forward(passage.sentence_text(index - 1))
    )


def _code(passage: Passage, index: int) -> bool:
    """A line of a code block (a fenced one too), a doctest or a directive: an example, not a
    point."""
    line = line_of(passage, index)
    if line[:1].isspace() or line.lstrip().startswith((">>>", "...", ".. ")):
        return True
    return is_code(passage, index)


def opens_paragraph(passage: Passage, index: int) -> bool:
    """Whether the sentence is the first of its paragraph (or post): where writers put the point."""
    return index == 0 or not same_paragraph(passage, index - 1)


def _whole_statement(text: str) -> bool:
    """Of readable length, not a question or a lead-in, not cut off at either end ("... and"),
    not a pointer to another place. A list item is judged by its words, not its marker: "*
    git-push(1) to publish the bleeding edge." and "<8> switch to the master branch." are
    fragments that finish their list's lead-in, where "* The sort is stable" is a point."""
    text = without_item_marker(text)
    words = text.rstrip("”\"'’)").split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS or text[-1] in "?:,;" or text[0].islower():
        return False  # a lower-case start is the rest of a sentence cut before it
    if text[0] == "(":
        return False  # a parenthetical aside, not a point
    if points_back(text) or points_forward(text) or _points_elsewhere(text):
        return False  # "This is why ...", "See section 2.2.4": not a point on its own
    return words[-1].lower() not in _DANGLING


def load_passages(live: LiveIndex, source: str | None) -> list[Passage]:
    """The live index's passages of one document (or all), with their sentence vectors.

    A document's passages include those whose whole copy stands in it (a paragraph seen
    before is indexed once, under its first occurrence).
    """
    retriever = live.current()
    ids = retriever.passage_ids_of(source) if source else retriever.passage_ids
    passages = retriever.load_passages(ids) if ids else []
    if source:
        passages = [p for p in passages if p.stands_whole_in(source)]
    return sorted(passages, key=lambda p: (p.source, p.line_start))


def resolve_document(name: str, documents: dict) -> str:
    """The indexed document `name` means: exact, or by file name, stem or unique prefix."""
    if name in documents:
        return name
    wanted = Path(name.strip()).name.lower()
    matches = [s for s in documents if wanted in (Path(s).name.lower(), Path(s).stem.lower())]
    matches = matches or [s for s in documents if Path(s).name.lower().startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    listed = sorted(matches or documents)
    shown = ", ".join(listed[:LISTED_DOCUMENTS])
    more = f" and {len(listed) - LISTED_DOCUMENTS} more" if len(listed) > LISTED_DOCUMENTS else ""
    if matches:
        raise UnknownDocumentError(f"“{name}” matches several documents: {shown}{more}.")
    raise UnknownDocumentError(f"No document named “{name}”. Available: {shown}{more}.")


def shown_topic(topic: str) -> str:
    """The topic as echoed back: no "[n]" that could pass for a citation marker, kept short."""
    topic = _MARKER.sub(lambda m: f"({m.group(1)})", topic)
    return topic if len(topic) <= 120 else topic[:119].rstrip() + "…"


def _title(version: Version, source: str | None, topic: str | None) -> str:
    if topic:
        return f"What the texts say about “{shown_topic(topic)}”" + (
            f" in {source}" if source else ""
        )
    if source:
        return f"Summary of {source}"
    return f"Summary of the corpus ({len(version.documents)} documents)"


def _nothing_on(title: str, topic: str | None, timings: dict) -> Summary:
    refusal = Refusal(RefusalReason.NO_EVIDENCE, topic or "")
    verification = {"outcome": "nothing relevant"}
    return Summary(
        title, "", (), refusal=refusal, topic=topic, verification=verification, timings_ms=timings
    )


def _by_document(passages: list[Passage]) -> list[list[Passage]]:
    documents: dict[str, list[Passage]] = {}
    for passage in passages:
        documents.setdefault(passage.source, []).append(passage)
    return [documents[source] for source in sorted(documents)]


def lead_ins_for(
    passages: list[Passage], chosen: list[tuple[Passage, int]], by_document: bool
) -> list[str]:
    """For each chosen sentence, the heading it stands under (or its document's title or name)."""
    headings = sorted(
        (p.source, p.sentences[i].line_start, " ".join(p.sentence_text(i).split()).lstrip("# "))
        for p in passages
        for i in range(len(p.sentences))
        if is_heading_at(p, i) and _titled(p.sentence_text(i)) and not _code(p, i)
    )
    lead_ins = []
    for passage, index in chosen:
        line = passage.sentences[index].line_start
        own = [h for h in headings if h[0] == passage.source]
        if by_document:
            lead_ins.append(own[0][2] if own else passage.source)
        else:
            before = [h for h in own if h[1] < line]
            lead_ins.append(before[-1][2] if before else "")
    return lead_ins


def _titled(heading: str) -> bool:
    """A heading with words, not a directive or a link label (".. _socket-howto:")."""
    return any(c.isalpha() for c in heading) and not heading.lstrip().startswith(("..", "_"))


def _sections(lead_ins: list[str], parts: list[str]) -> tuple[tuple[str, str], ...]:
    """Consecutive parts under the same lead-in, grouped."""
    sections: list[tuple[str, list[str]]] = []
    for lead_in, part in zip(lead_ins, parts):
        if sections and sections[-1][0] == lead_in:
            sections[-1][1].append(part)
        else:
            sections.append((lead_in, [part]))
    return tuple((lead_in, " ".join(group)) for lead_in, group in sections)


def _reading_order(item: tuple[Passage, int]) -> tuple:
    passage, index = item
    return passage.source, passage.line_start, passage.sentences[index].start


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / max(float(np.linalg.norm(vector)), 1e-12)
