"""The similarity a question on no subject of the texts still gets from them: the corpus's floor.

An embedding's similarities mean different things in different corpora. Of the questions
our sets hold, an everyday question ("how long should I boil an egg?") scores about 0.10
against its best passage of a forum thread and 0.20-0.23 against its best passage of a
manual, while an answerable question scores about 0.41 above that floor on all three
corpora. A refusal model fitted on some corpora reads the raw figure with their floors, and
refused 29% of the answerable questions of the one it was not fitted on; measured from the
floor, 9% (eval/README.md, "The chance floor"). So the policy is given the best passage's
similarity above the floor of the index version it searched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

# Everyday questions on many subjects. The floor is their median best similarity, so a corpus
# that does speak of a few of them (a gardening club's texts, tomatoes) barely moves it.
OFF_TOPIC = (
    "How long should I boil an egg?",
    "What is the capital of Australia?",
    "Who won the 1998 World Cup?",
    "How do I change a flat tyre?",
    "What is the best time to plant tomatoes?",
    "How many legs does a spider have?",
    "What causes thunderstorms?",
    "How do I knit a scarf?",
    "What year did the Roman Empire fall?",
    "How do I make pancakes?",
    "What is the tallest mountain in Africa?",
    "How do vaccines work?",
    "What is a good name for a cat?",
    "How do I train for a marathon?",
    "Why is the sky blue?",
    "How much does a blue whale weigh?",
    "What is the plot of Hamlet?",
    "How do I fix a leaking tap?",
    "What are the rules of chess castling?",
    "How do I get rid of aphids on roses?",
    "What is the exchange rate of the yen?",
    "When was the Eiffel Tower built?",
    "How do I tune a guitar?",
    "What is photosynthesis?",
    "How do I remove a red wine stain?",
    "Who painted the Mona Lisa?",
    "What should I pack for a camping trip?",
    "How do bees make honey?",
    "What is the speed of sound?",
    "How do I apply for a passport?",
    "What is the offside rule in football?",
    "How do I bake sourdough bread?",
)


class ChanceFloor:
    """The floor of each index version, measured once per version (a few milliseconds)."""

    def __init__(self, embed_many: Callable[[list[str]], np.ndarray]) -> None:
        self._embed_many = embed_many
        self._vectors: np.ndarray | None = None  # the questions', embedded once
        self._floors: dict[str, float] = {}
        self._lock = threading.Lock()

    def of(self, retriever) -> float:
        """The floor of the version `retriever` searches (a `search.hybrid.Retriever`)."""
        name = retriever.version.name
        floor = self._floors.get(name)
        if floor is not None:
            return floor
        with self._lock:
            floor = self._floors.get(name)  # measured by the thread this one waited for
            if floor is not None:
                return floor
            if self._vectors is None:
                self._vectors = self._embed_many(list(OFF_TOPIC))
            floor = float(np.median([retriever.top_similarity(v) for v in self._vectors]))
            # Only the versions in use are kept: the live one and, during a swap, the last.
            last = list(self._floors.items())[-1:]
            self._floors = dict([*last, (name, floor)])
        return floor
