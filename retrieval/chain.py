"""The ask path, read top to bottom: one LangChain chain of named, typed stages.

    rewrite → analyse → retrieve → verdict → reread → answer (LLM, falling back to
    extractive) → gate

Each stage takes the question's `Ask` state and returns it with its own field filled in,
so a stage can be tested, traced and replaced on its own. `RunnableConfig` callbacks reach
every stage: a LangChain tracer shows one trace per question, and `StageTimer` turns the
same events into the `timings_ms` of the answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from retrieval.answer import extractive
from retrieval.answer.analysis import QuestionFacts, analyse, has_content, normalise
from retrieval.answer.citations import CitationGate
from retrieval.answer.continuation import continued
from retrieval.answer.evidence import Evidence, rank_evidence
from retrieval.answer.followup import resolve
from retrieval.answer.policy import RefusalPolicy, Verdict
from retrieval.llm import arbitration
from retrieval.llm.failure import LLMFailure
from retrieval.search.retriever import HybridRetriever, passage_of
from retrieval.types import Answer, Passage, Refusal, RefusalReason, Turn

if TYPE_CHECKING:  # the answerer's LangChain modules load only with an LLM (assembly.py)
    from retrieval.llm.answerer import LLMAnswerer

STAGES = ("rewrite", "analyse", "retrieve", "verdict", "reread", "answer", "gate")


@dataclass(frozen=True)
class Ask:
    """One question on its way through the chain; each stage fills in its part."""

    question: str
    history: tuple[Turn, ...] = ()
    standalone: str = ""
    dependent: bool = False  # it leans on the conversation ("why?", "and the second one?")
    follows_refusal: bool = False  # it leans on a turn the bot could not answer
    leaning: str = ""  # a short message read with the conversation, if alone it finds nothing
    facts: QuestionFacts | None = None
    query_vector: np.ndarray | None = field(default=None, repr=False)
    passages: tuple[Passage, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    verdict: Verdict | None = None
    answer: Answer | None = None


@dataclass
class AskStages:
    """The stages of the ask path and what they need; `chain()` composes them."""

    retriever: HybridRetriever
    keywords: Callable[[], Any]  # the live version's BM25 index, for term weights
    chance: Callable[[], float]  # the live version's similarity floor (search/chance.py)
    policy: RefusalPolicy
    gate: CitationGate
    answer_sentences: int = 3
    generator: LLMAnswerer | None = None

    def rewrite(self, ask: Ask) -> Ask:
        """The follow-up rewritten to stand alone: by the LLM when configured, else offline.

        A message that stands alone is taken as new, whatever the conversation before it.
        """
        resolved = resolve(ask.question, ask.history)
        text = resolved.text
        if self.generator is not None and resolved.dependent and not resolved.follows_refusal:
            text = self.generator.standalone(ask.question, ask.history, text)
        return replace(
            ask,
            standalone=normalise(text),
            dependent=resolved.dependent,
            follows_refusal=resolved.follows_refusal,
            leaning=normalise(resolved.leaning) if resolved.leaning else "",
        )

    def analyse(self, ask: Ask) -> Ask:
        return replace(ask, facts=analyse(ask.standalone))

    def retrieve(self, ask: Ask, config: RunnableConfig) -> Ask:
        vector = self.retriever.embed(ask.standalone)
        documents = self.retriever.invoke(ask.standalone, config, query_vector=vector)
        return replace(ask, query_vector=vector, passages=tuple(map(passage_of, documents)))

    def verdict(self, ask: Ask) -> Ask:
        keywords = self.keywords()
        passages = list(ask.passages)
        evidence = rank_evidence(ask.standalone, ask.query_vector, passages, keywords)
        if not has_content(ask.facts):
            verdict = Verdict(0.0, Refusal(RefusalReason.NOTHING_ASKED), ("no_content",))
        else:
            verdict = self.policy.judge(ask.facts, evidence, passages, keywords, self.chance())
        # A follow-up of a question the texts did not answer is read with that question: "ok
        # then what was that calculation even about" after "what did the calc in 4.4.2
        # find" asks what the texts may well say. When that too finds nothing, the member
        # is told there was no answer to follow up on ("why?" after a refusal).
        if ask.follows_refusal and verdict.refused:
            verdict = replace(verdict, refusal=Refusal(RefusalReason.NOTHING_TO_FOLLOW))
        return replace(ask, evidence=tuple(evidence), verdict=verdict)

    def reread(self, ask: Ask, config: RunnableConfig) -> Ask:
        """A short message that finds nothing in the texts alone ("any catch?", "why only
        partly?"), read again as leaning on the conversation; kept alone if that finds nothing
        either, so a new question that the texts do not answer is still refused."""
        if not ask.leaning or not ask.verdict.refused or not has_content(ask.facts):
            return ask
        leaning = replace(ask, standalone=ask.leaning, dependent=True, leaning="")
        leaning = self.verdict(self.retrieve(self.analyse(leaning), config))
        return ask if leaning.verdict.refused else leaning

    def extractive(self, inputs: dict) -> Ask:
        """The offline answer: the best sentences, quoted and cited (the LLM's fallback)."""
        ask: Ask = inputs["ask"]
        verdict = ask.verdict
        verification: dict = {
            "relevance": round(verdict.relevance, 4),
            "reasons": list(verdict.reasons),
            "features": {k: round(v, 4) for k, v in verdict.features.items()},
        }
        failure = inputs.get("llm_failure")
        if isinstance(failure, LLMFailure):
            verification |= arbitration.fallback_record(failure)
        if verdict.refused:
            answer = Answer(ask.question, "", refusal=verdict.refusal, verification=verification)
            return replace(ask, answer=answer)
        evidence, most = list(ask.evidence), self.answer_sentences
        if ask.dependent and ask.history:
            previous = ask.history[-1]
            chosen = extractive.choose_following_up(
                evidence, previous, verdict.gloss, most, ask.facts
            )
        else:
            chosen = extractive.choose(evidence, verdict.gloss, most, ask.facts)
        chosen = continued(chosen, self.retriever.neighbour, ask.query_vector)
        text, citations = extractive.compose(chosen)
        answer = Answer(ask.question, text, tuple(citations), verification=verification)
        return replace(ask, answer=answer)

    def llm(self, inputs: dict) -> Ask:
        """The LLM's verified answer; asked only when the texts hold relevant evidence."""
        ask: Ask = inputs["ask"]
        if ask.verdict.refused or not ask.passages:
            done = self.extractive(inputs)  # an off-topic question costs no LLM call
            return _decided(done, arbitration.decision("policy", "refused_before_asking"))
        answer = self.generator.answer(ask.question, ask.passages, ask.history)
        if answer.refused and arbitration.overrides_decline(ask.verdict.relevance):
            done = self.extractive(inputs)
            why = arbitration.decision("evidence", "model_declined_evidence_strong")
            return _decided(done, {"llm_outcome": "llm_refused", **why})
        why = "model_declined" if answer.refused else "verified"
        verification = {"relevance": round(ask.verdict.relevance, 4)} | answer.verification
        verification |= arbitration.decision("model", why)
        return replace(ask, answer=replace(answer, verification=verification))

    def gate_answer(self, ask: Ask) -> Ask:
        """The citation gate: a quote that is not verbatim at its lines never reaches anyone."""
        answer = ask.answer
        gated = self.gate.check(answer.text, answer.citations)
        verification = answer.verification | gated.stats
        if gated.rejected and not gated.citations:
            refusal = Refusal(RefusalReason.UNVERIFIED)
            answer = replace(answer, text="", citations=(), refusal=refusal)
        elif gated.rejected:
            answer = replace(answer, text=gated.text, citations=gated.citations)
        return replace(ask, answer=replace(answer, verification=verification))

    def chain(self) -> Runnable[Ask, Ask]:
        """The ask path as one Runnable; the extractive answer is the LLM's fallback."""
        answer: Runnable = RunnableLambda(self.extractive, name="extractive")
        if self.generator is not None:
            llm = RunnableLambda(self.llm, name="llm")
            answer = llm.with_fallbacks([answer], exception_key="llm_failure")
        return (
            RunnableLambda(self.rewrite, name="rewrite")
            | RunnableLambda(self.analyse, name="analyse")
            | RunnableLambda(self.retrieve, name="retrieve")
            | RunnableLambda(self.verdict, name="verdict")
            | RunnableLambda(self.reread, name="reread")
            | RunnableLambda(lambda ask: {"ask": ask}, name="answer_inputs")
            | answer.with_config(run_name="answer")
            | RunnableLambda(self.gate_answer, name="gate")
        ).with_config(run_name="ask")


def _decided(ask: Ask, record: dict) -> Ask:
    """`ask` with the arbitration's record added to its answer's verification."""
    return replace(ask, answer=replace(ask.answer, verification=ask.answer.verification | record))


class StageTimer(BaseCallbackHandler):
    """Milliseconds spent in each named stage of one run of the chain."""

    def __init__(self, stages: Sequence[str] = STAGES) -> None:
        self.stages = set(stages)
        self.timings: dict[str, float] = {}
        self._started: dict[Any, tuple[str, float]] = {}

    def on_chain_start(self, serialized, inputs, *, run_id, name=None, **kwargs) -> None:
        name = name or kwargs.get("run_name") or ""
        if name in self.stages:
            self._started[run_id] = (name, time.perf_counter())

    def on_chain_end(self, outputs, *, run_id, **kwargs) -> None:
        started = self._started.pop(run_id, None)
        if started is not None:
            name, at = started
            self.timings[name] = self.timings.get(name, 0.0) + (time.perf_counter() - at) * 1000

    on_chain_error = on_chain_end
