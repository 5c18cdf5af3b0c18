"""Where the fused ranking gains or loses against its halves, and what other fusions would do.

For every answerable question of the three dev sets (eval/questions.jsonl, eval/howtos/ and
eval/gitdocs/questions.jsonl): the vector scores of every passage (its stored vector, the mean
of its sentences', and its best sentence's), the BM25 scores, and the top 10 that each fusion
of a grid gives. recall@1, recall@5 and MRR are those of retrieval.evaluation.evaluate (depth
10, a passage counts when it or a copy overlaps a gold span). Today's fusion is checked to
give exactly the ranking `Retriever.search` gives. Parameters are chosen by 5-fold
cross-validation: fitted on four folds of the questions (at every scale measured at once),
scored on the fifth; a question's fold is the same at every scale.

    python -m bench.fusion --passages 10000 --out bench/fusion.json   # cache filled first
    python -m bench.fusion --out bench/fusion-seeds.json              # seed scale only

The 10,000-passage corpus is the seeds, the pages of eval/howtos and eval/gitdocs, then
the filler (`corpora.source_documents(eval_first=True)`; fill the vector cache with
`python -m bench.vectors --passages 10000 --eval-first`). At seed scale each corpus is
indexed alone, as `seedbot eval` does; its vectors come from the same cache.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import bigindex, corpora
from bench.vectors import VectorCache, fill, sentence_texts
from retrieval.evaluation.evaluate import RANK_DEPTH, Case, load_cases
from retrieval.index.embedder import MiniLMEmbeddings
from retrieval.index.records import passage_of
from retrieval.index.store import Store, make_client
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import read_corpus
from retrieval.search.hybrid import CANDIDATES, RRF_K, Retriever, fuse

SETS = {
    "seeds": (corpora.EVAL / "questions.jsonl", corpora.SEEDS),
    "howtos": (corpora.EVAL / "howtos" / "questions.jsonl", corpora.EVAL / "howtos" / "corpus"),
    "gitdocs": (
        corpora.EVAL / "gitdocs" / "questions.jsonl",
        corpora.EVAL / "gitdocs" / "corpus",
    ),
}
FOLDS = 5
# The grid: the passage's vector score, candidates per ranking, the vector ranking's weight
# against BM25's (1: today), and the fusion constant.
# "rerank": the passage vectors' top candidates, reordered by the mean of passage and best
# sentence (what a retriever could do reading only its candidates' sentence vectors).
VECTOR_KINDS = ("stored", "best", "blend", "rerank")
DEPTHS = (10, 24, 50, 100)
WEIGHTS = (0.5, 0.75, 1.0, 1.5, 2.0)
RRF_KS = (10, 30, 60)
TODAY = ("stored", CANDIDATES, 1.0, RRF_K)


@dataclass
class Question:
    """One answerable question at one scale: its rankings, and which passages hold gold."""

    set_name: str
    scale: str
    case_id: str
    vector: dict[tuple[str, int], list[int]]  # (kind, depth) -> rows, best first
    keyword: dict[int, list[int]]  # depth -> rows, best first (zero scores left out)
    gold: np.ndarray  # bool per row
    sources: list[str]  # file per row (shared by the index's questions)


class Index:
    """One corpus's index built from the vector cache, and its passages' sentence vectors."""

    def __init__(self, corpus: corpora.Corpus, cache: VectorCache, folder: Path) -> None:
        built = bigindex.build(corpus, cache, MiniLMEmbeddings.name, folder)
        if built.stand_in_sentences:
            raise SystemExit(f"{built.stand_in_sentences} sentences lack vectors: fill the cache")
        self.store = Store(make_client(path=folder))
        self.retriever = Retriever(self.store, self.store.active())
        self.ids = self.retriever.passage_ids
        rows = {p: n for n, p in enumerate(self.ids)}
        held = self.store.held(self.store.active(), ["embeddings"])
        self.stored = np.zeros((len(self.ids), 384), np.float32)
        for record, vector in zip(held["ids"], held["embeddings"]):
            self.stored[rows[passage_of(record)]] = vector
        # The index's own passages: the indexer reads the folder's files in its own order,
        # so where a paragraph counts as first seen may differ from corpus.chunks.
        passages = [
            p
            for start in range(0, len(self.ids), 1000)
            for p in self.retriever.load_passages(self.ids[start : start + 1000])
        ]
        assert [p.id for p in passages] == self.ids
        self.sentences = np.concatenate([p.sentence_vectors for p in passages])
        self.starts = np.cumsum([0] + [len(p.sentences) for p in passages[:-1]])
        self.places = [[(p.source, p.line_start, p.line_end), *p.duplicates] for p in passages]
        self.sources = [p.source for p in passages]

    def question(self, case: Case, vector: np.ndarray, set_name: str, scale: str) -> Question:
        stored = self.stored @ vector
        best = np.maximum.reduceat(self.sentences @ vector, self.starts)
        kinds = {"stored": stored, "best": best, "blend": (stored + best) / 2}
        rankings = {(k, d): _top(s, d) for k, s in kinds.items() for d in DEPTHS}
        for d in DEPTHS:
            candidates = rankings[("stored", d)]
            blend = kinds["blend"]
            rankings[("rerank", d)] = sorted(candidates, key=lambda n: -blend[n])
        return Question(
            set_name,
            scale,
            case.id,
            rankings,
            {d: [i for i, _ in self.retriever.keywords.top(case.question, d)] for d in DEPTHS},
            np.array([_holds(places, case) for places in self.places]),
            self.sources,
        )

    def today(self, case: Case, vector: np.ndarray) -> list[int]:
        rows = {p: n for n, p in enumerate(self.ids)}
        return [rows[p.id] for p in self.retriever.search(case.question, vector, RANK_DEPTH)]


def _top(scores: np.ndarray, depth: int) -> list[int]:
    """The `depth` best rows, as Retriever._vector_ranking orders them."""
    wanted = min(depth, len(scores))
    best = np.argpartition(-scores, wanted - 1)[:wanted]
    return [int(n) for n in best[np.argsort(-scores[best], kind="stable")]]


def _holds(places: list[tuple[str, int, int]], case: Case) -> bool:
    return any(
        s == g.source and a <= g.line_end and g.line_start <= b
        for s, a, b in places
        for g in case.gold
    )


def fused(q: Question, params: tuple) -> list[int]:
    """The top rows under `params`, fused as Retriever.search fuses (ties: first seen)."""
    kind, depth, weight, k = params
    scores = fuse([(q.vector[(kind, depth)], weight), (q.keyword[depth], 1.0)], k)
    return sorted(scores, key=scores.get, reverse=True)[:RANK_DEPTH]


def first_hit(q: Question, ranking: list[int]) -> int | None:
    return next((n for n, row in enumerate(ranking, 1) if q.gold[row]), None)


def figures(hits: list[int | None]) -> dict:
    count = max(1, len(hits))
    return {
        "questions": len(hits),
        "recall@1": round(sum(h == 1 for h in hits) / count, 3),
        "recall@5": round(sum(h is not None and h <= 5 for h in hits) / count, 3),
        "mrr": round(sum(1 / h for h in hits if h) / count, 3),
    }


def losses(questions: list[Question], own: set[str]) -> dict:
    """The questions BM25 ranks right first and today's fusion does not: what came first.

    `own`: the files the set asks about; any other file is filler (or another corpus).
    """
    lost = [
        q
        for q in questions
        if first_hit(q, q.keyword[RANK_DEPTH]) == 1 and first_hit(q, fused(q, TODAY)) != 1
    ]
    gained = [
        q
        for q in questions
        if first_hit(q, q.keyword[RANK_DEPTH]) != 1 and first_hit(q, fused(q, TODAY)) == 1
    ]
    return {
        "lost": len(lost),
        "gained": len(gained),
        "lost: fused first from another file than the set's": sum(
            q.sources[fused(q, TODAY)[0]] not in own for q in lost
        ),
        "lost: fused first from the vector side's top 3": sum(
            fused(q, TODAY)[0] in q.vector[("stored", 10)][:3] for q in lost
        ),
        "lost: gold's rank among passage vectors (none: beyond 100)": [
            first_hit(q, q.vector[("stored", 100)]) for q in lost
        ],
        "lost: ids": [q.case_id for q in lost],
    }


GRID = list(itertools.product(VECTOR_KINDS, DEPTHS, WEIGHTS, RRF_KS))


def cross_validated(questions: list[Question], grid: list[tuple]) -> dict:
    """Held-out first hits of the parameters fitted (best mean MRR) on the other folds."""
    ids = sorted({(q.set_name, q.case_id) for q in questions})
    random.Random(14).shuffle(ids)
    fold_of = {}
    for name in SETS:  # stratified by set: each fold holds a fifth of each set
        mine = [i for i in ids if i[0] == name]
        fold_of.update({i: n % FOLDS for n, i in enumerate(mine)})
    # Each question's reciprocal rank under each parameter set, computed once.
    reciprocal = np.array(
        [[1 / (first_hit(q, fused(q, p)) or np.inf) for p in grid] for q in questions]
    )
    folds = np.array([fold_of[(q.set_name, q.case_id)] for q in questions])
    held: dict[tuple[str, str, str], int | None] = {}
    chosen = []
    for fold in range(FOLDS):
        train = reciprocal[folds != fold].mean(axis=0)
        best = max(range(len(grid)), key=lambda n: (train[n], grid[n] == TODAY))
        chosen.append(grid[best])
        for q in itertools.compress(questions, folds == fold):
            held[(q.scale, q.set_name, q.case_id)] = first_hit(q, fused(q, grid[best]))
    return {"chosen": [list(p) for p in chosen], "held": held}


def measure(
    indexes: dict[tuple[str, str], tuple[Index, list[Case]]], kinds: tuple[str, ...] = VECTOR_KINDS
) -> dict:
    """Every figure for each (scale, set): halves, today, the CV choice, the grid's best."""
    embedder = MiniLMEmbeddings()
    questions, out = [], {}
    for (scale, name), (index, cases) in indexes.items():
        answerable = [c for c in cases if c.answerable]
        vectors = embedder.embed_array([c.question for c in answerable])
        mine = [index.question(c, v, name, scale) for c, v in zip(answerable, vectors)]
        for case, vector, q in zip(answerable, vectors, mine):
            if index.today(case, vector) != fused(q, TODAY):
                raise SystemExit(f"{scale} {case.id}: the replayed fusion is not the retriever's")
        questions += mine
        out[f"{scale} {name}"] = {
            "ours (today)": figures([first_hit(q, fused(q, TODAY)) for q in mine]),
            "bm25 alone": figures([first_hit(q, q.keyword[RANK_DEPTH]) for q in mine]),
            "vectors alone": figures([first_hit(q, q.vector[("stored", 10)]) for q in mine]),
            "best sentence alone": figures([first_hit(q, q.vector[("best", 10)]) for q in mine]),
            "lost to bm25": losses(mine, {g.source for c in answerable for g in c.gold}),
        }
    cv = cross_validated(questions, [p for p in GRID if p[0] in kinds])
    for key, row in out.items():
        scale, name = key.split(" ")
        row["cross-validated choice (held out)"] = figures(
            [h for (s, n, _), h in cv["held"].items() if (s, n) == (scale, name)]
        )
    out["chosen per fold (kind, depth, vector weight, rrf k)"] = cv["chosen"]
    out["today"] = list(TODAY)
    return out


def seed_indexes(cache: VectorCache, embedder) -> dict:
    """Each corpus alone, its missing sentence vectors embedded into the cache first."""
    found = {}
    for name, (question_set, folder) in SETS.items():
        documents = read_corpus(folder).documents
        corpus = corpora.Corpus(name, folder, documents, chunk_corpus(documents))
        fill(cache, sentence_texts(corpus.chunks), embedder, float("inf"))
        store = corpora.CACHE / "stores" / f"fusion-{name}"
        found[("seed", name)] = (Index(corpus, cache, store), load_cases(question_set))
    return found


def scale_indexes(size: int, cache: VectorCache) -> dict:
    documents = corpora.source_documents(eval_first=True)
    chunks = corpora.chunks_for(size, documents)
    corpus = corpora.corpus_of(size, documents, chunks, tag="-evalfirst")
    embedder = MiniLMEmbeddings()
    fill(cache, sentence_texts(bigindex.indexed_chunks(corpus)), embedder, float("inf"))
    index = Index(corpus, cache, bigindex.store_folder(corpus))
    return {
        (f"{size}", name): (index, corpora.scale_cases(question_set))
        for name, (question_set, _) in SETS.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, help="also at this many passages")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--kinds",
        nargs="+",
        default=VECTOR_KINDS,
        choices=VECTOR_KINDS,
        help="vector scores the fit may choose (stored: what the index holds per passage)",
    )
    args = parser.parse_args()
    embedder = MiniLMEmbeddings()
    cache = VectorCache(embedder.name)
    indexes = seed_indexes(cache, embedder)
    if args.passages:
        indexes |= scale_indexes(args.passages, cache)
    text = json.dumps(measure(indexes, tuple(args.kinds)), indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
