"""An LLM double that answers from the passages it is shown, and invents citations on purpose.

It reads the numbered passages out of the prompt, as a real model would, and writes one or
two sentences that paraphrase the passages closest to the question, each cited correctly.
With probability `invent_rate` a reply also carries inventions, recorded in `inventions`:
a marker naming no passage ([7] of 6), a claim stated by no passage (cited to a real one),
and a true sentence cited to the wrong passage. The measurement is what survives.
"""

from __future__ import annotations

import random
import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field, PrivateAttr

from retrieval.ingest.sentences import sentence_spans
from retrieval.search.keywords import terms

INVENTED_CLAIMS = (
    "The report puts the probability of scheming at about 25 percent.",
    "Constitutional AI was introduced by Anthropic in 2022 to replace RLHF.",
    "MIRI was founded by Eliezer Yudkowsky in 2000 to study decision theory.",
    "GPT-5 was released in August 2025 together with a new safety framework.",
    "The commenter estimates the chance of doom at ninety percent.",
    "Nvidia stock fell by forty percent last year, which proves the model is smooth.",
    "Collapsible boxes were invented by the LessWrong team in 2019.",
    "Responsible scaling policies are the main subject of section 4.4 of the report.",
    "Debate between two AI systems is proposed as the main alignment strategy.",
    "The best way to cook pasta is in plenty of salted boiling water.",
    "The author says scheming has already been observed in deployed GPT-4 systems.",
    "OpenAI trained the o1 series without any reinforcement learning at all.",
)
_PASSAGE = re.compile(
    r'<passage n="(\d+)" source="([^"]*)" lines="(\d+)-(\d+)">\n(.*?)\n</passage>', re.DOTALL
)
_QUESTION = re.compile(r"Question: (.*)\Z", re.DOTALL)
PREFIXES = ("The text says that ", "According to the passage, ", "The commenter notes that ", "")


class InventingChatModel(BaseChatModel):
    """Cites what it was shown, and half the time (by default) invents citations as well."""

    invent_rate: float = 0.5
    seed: int = 0
    inventions: list[dict] = Field(default_factory=list)
    shown: dict[int, tuple[str, int, int]] = Field(default_factory=dict)  # n -> source, lines
    _rng: random.Random = PrivateAttr()

    def model_post_init(self, context: Any) -> None:
        self._rng = random.Random(self.seed)

    @property
    def _llm_type(self) -> str:
        return "inventing-double"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs):
        prompt = str(messages[-1].content)
        found = _PASSAGE.findall(prompt)
        passages = {int(n): text for n, *_, text in found}
        self.shown = {int(n): (source, int(a), int(b)) for n, source, a, b, _ in found}
        question = (_QUESTION.search(prompt) or [None, ""])[1]
        sentences = self._faithful(question, passages)
        record = {"invented_claims": [], "out_of_range": [], "misattributed": []}
        if passages and self._rng.random() < self.invent_rate:
            sentences = self._invent(sentences, passages, record)
        self.inventions.append(record)
        text = " ".join(sentences) or "NO ANSWER IN THE PASSAGES"
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _faithful(self, question: str, passages: dict[int, str]) -> list[str]:
        """A light paraphrase of the best sentence of the two passages nearest the question."""
        asked = set(terms(question))
        ranked = sorted(passages, key=lambda n: -len(asked & set(terms(passages[n]))))
        out = []
        for n in ranked[:2]:
            best = max(_sentences(passages[n]), key=lambda s: len(asked & set(terms(s))))
            out.append(f"{self._paraphrase(best)} [{n}]")
        return out

    def _paraphrase(self, sentence: str) -> str:
        words = sentence.rstrip(".!?").split()[:35]
        prefix = self._rng.choice(PREFIXES)
        first = words[0][0].lower() + words[0][1:] if prefix else words[0]
        return prefix + " ".join([first, *words[1:]]) + "."

    def _invent(self, sentences: list[str], passages: dict[int, str], record: dict) -> list[str]:
        """Add one invention of each kind, noting them so the measurement can look for them."""
        numbers = sorted(passages)
        beyond = max(numbers) + self._rng.randint(1, 5)
        record["out_of_range"].append(beyond)
        sentences = [*sentences[:-1], f"{sentences[-1]} [{beyond}]"] if sentences else []
        claim = self._rng.choice(INVENTED_CLAIMS)
        record["invented_claims"].append(claim)
        sentences.append(f"{claim} [{self._rng.choice(numbers)}]")
        if len(sentences) >= 2 and len(numbers) >= 2:
            true_n = int(re.findall(r"\[(\d+)\]", sentences[0])[0])
            wrong = self._rng.choice([n for n in numbers if n != true_n])
            text = re.sub(r"\s*\[\d+\]", "", sentences[0])
            record["misattributed"].append(
                {"text": text, "true": self.shown[true_n], "cited": self.shown[wrong]}
            )
            sentences[0] = f"{text} [{wrong}]"
        return sentences


def _sentences(text: str) -> list[str]:
    found = [text[a:b] for a, b in sentence_spans(text)]
    return [s for s in found if len(s.split()) >= 4] or found or [text]
