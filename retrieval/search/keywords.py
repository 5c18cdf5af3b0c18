"""BM25 keyword search over passages: an inverted index in numpy arrays, fast at 100k passages."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

# Keeps "4.4.2", "o1", "gpt-4" and "don't" whole, so exact terms find their passage.
_TOKEN = re.compile(r"[a-z0-9]+(?:[.\-'’][a-z0-9]+)*")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves s t d ll m re ve say says said think thinks thought does mean means author
    comment comments commenter text texts post whats what's someone anyone exactly actually
    really basically just like also get got kind sort thing things way ways tell explain
    i'm i've i'd we're we've we'd they're you're it's that's there's he's she's let's""".split()
)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A light suffix stripper: plurals, -ing, -ed, -ly and a final e ("schemes" ~ "scheming").

    Porter's stemmer (nltk) costs 0.8 s of import at start-up for little gain here.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


_POSSESSIVE = re.compile(r"'s$")


def words(text: str) -> list[str]:
    """Lower-cased words of `text`, possessives cut ("model's" is "model"), negations left out."""
    found = [_POSSESSIVE.sub("", w) for w in _TOKEN.findall(text.lower().replace("’", "'"))]
    return [w for w in found if "n't" not in w and len(w) < 40]


def content_words(text: str) -> list[str]:
    """The words of `text` that are no stopwords, as written (lower-cased)."""
    return [w for w in words(text) if w not in STOPWORDS]


def terms(text: str) -> list[str]:
    """Stemmed content words of `text`: what BM25 matches on."""
    return _stems(content_words(text))


def _stems(content: list[str]) -> list[str]:
    """The words' stems; a hyphenated word also as its parts, so that "higher order" finds
    "higher-order" and "path dependence" finds "path-dependence" (and the other way round)."""
    out = []
    for word in content:
        out.append(_stem(word))
        if "-" in word:
            out.extend(_stem(p) for p in word.split("-") if len(p) > 1 and p not in STOPWORDS)
    return out


class KeywordIndex:
    """Okapi BM25 (k1=1.2, b=0.75) over a fixed list of passages."""

    k1 = 1.2
    b = 0.75

    def __init__(self, texts: list[str]) -> None:
        # One tokenising pass in Python, the postings sorted in numpy: at 100,000 passages
        # the per-term Python lists this replaced cost seconds of every start-up.
        self.vocab: dict[str, int] = {}
        self.word_counts: Counter[str] = Counter()  # unstemmed content words, for callers
        terms, docs, tfs, lengths = self._tokenise(texts)
        self._set(terms, docs, tfs, lengths)

    def _tokenise(self, texts: list[str]) -> tuple[np.ndarray, ...]:
        """Postings (term, passage, count) of `texts`, sorted, and their lengths; vocab grows."""
        term_ids: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        vocab = self.vocab
        for doc_id, text in enumerate(texts):
            content = content_words(text)
            self.word_counts.update(content)
            stems = _stems(content)
            term_ids.extend([vocab.setdefault(t, len(vocab)) for t in stems])
            lengths[doc_id] = len(stems)
        size = max(len(texts), 1)
        doc_ids = np.repeat(np.arange(len(texts), dtype=np.int64), lengths.astype(np.int64))
        pairs, tfs = np.unique(
            np.asarray(term_ids, dtype=np.int64) * size + doc_ids, return_counts=True
        )
        return pairs // size, pairs % size, tfs.astype(np.float32), lengths

    def _set(self, terms: np.ndarray, docs: np.ndarray, tfs: np.ndarray, lengths) -> None:
        """Take postings sorted by term, then passage."""
        self.size = len(lengths)
        self._lengths = np.asarray(lengths, dtype=np.float32)
        # Postings of term t: _docs[_bounds[t]:_bounds[t + 1]], sorted by passage.
        self._bounds = np.searchsorted(terms, np.arange(len(self.vocab) + 1))
        self._docs = docs.astype(np.int32)
        self._tfs = tfs.astype(np.float32)
        average = float(self._lengths.mean()) if self.size else 1.0
        self._norm = self.k1 * (1 - self.b + self.b * self._lengths / max(average, 1e-9))

    def derived(self, keep: np.ndarray, texts: list[str], removed: list[str]) -> KeywordIndex:
        """This index less the passages not at positions `keep`, plus `texts` after them.

        Scores as an index built from those passages does (the postings are filtered and
        merged in numpy; only the new texts are tokenised), so a refresh that changed a few
        passages costs a few passages, not the corpus. `removed` are the dropped passages'
        texts, taken off the word counts.
        """
        out = KeywordIndex.__new__(KeywordIndex)
        out.vocab, out.word_counts = dict(self.vocab), Counter(self.word_counts)
        out.word_counts.subtract(w for text in removed for w in content_words(text))
        out.word_counts = +out.word_counts  # drops words counted down to nothing
        new_terms, new_docs, new_tfs, new_lengths = out._tokenise(texts)
        keep = np.asarray(keep, dtype=np.int64)
        position = np.full(self.size, -1, dtype=np.int64)
        position[keep] = np.arange(len(keep))
        old_terms = np.repeat(np.arange(len(self._bounds) - 1), np.diff(self._bounds))
        old_docs = position[self._docs]
        alive = old_docs >= 0
        terms = np.concatenate([old_terms[alive], new_terms])
        docs = np.concatenate([old_docs[alive], new_docs + len(keep)])
        tfs = np.concatenate([self._tfs[alive], new_tfs])
        order = np.lexsort((docs, terms))
        lengths = np.concatenate([self._lengths[keep], new_lengths])
        out._set(terms[order], docs[order], tfs[order], lengths)
        return out

    def save(self, path: Path, ids: list[str], common: int, extra: dict | None = None) -> None:
        """Write the index beside the passage ids it ranks and the `common` most frequent words.

        `extra` arrays go into the same file (what a caller keeps beside the index).

        Building the index tokenises every passage (seconds at 100,000 passages); loading
        it back takes a fraction of that, so a process that starts on an index version
        another process has already seen skips the work.
        """
        top = self.word_counts.most_common(common)
        tmp = path.with_name(f"{path.name}.tmp")
        with tmp.open("wb") as handle:
            np.savez(
                handle,
                terms=_joined(sorted(self.vocab, key=self.vocab.get)),
                ids=_joined(ids),
                words=_joined([w for w, _ in top]),
                counts=np.array([c for _, c in top]),
                bounds=self._bounds,
                docs=self._docs,
                tfs=self._tfs,
                norm=self._norm,
                lengths=self._lengths,
                **(extra or {}),
            )
        tmp.replace(path)  # whole or absent, even if the process dies while writing

    @classmethod
    def load(cls, path: Path) -> tuple[KeywordIndex, list[str]]:
        """An index written by `save`, and the passage ids it ranks."""
        index = cls.__new__(cls)
        with np.load(path, allow_pickle=False) as data:
            terms = _split(data["terms"])
            ids = _split(data["ids"])
            index.word_counts = Counter(dict(zip(_split(data["words"]), data["counts"].tolist())))
            index._bounds, index._docs = data["bounds"], data["docs"]
            index._tfs, index._norm = data["tfs"], data["norm"]
            index._lengths = data["lengths"]
        index.vocab = {term: n for n, term in enumerate(terms)}
        index.size = len(ids)
        if len(index._bounds) != len(terms) + 1 or len(index._norm) != index.size:
            raise ValueError(f"{path} is not a whole keyword index")
        return index, ids

    def _postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self._bounds[term_id], self._bounds[term_id + 1]
        return self._docs[start:end], self._tfs[start:end]

    def idf(self, term: str) -> float:
        term_id = self.vocab.get(term)
        df = 0 if term_id is None else int(self._bounds[term_id + 1] - self._bounds[term_id])
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query`."""
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(terms(query)):
            term_id = self.vocab.get(term)
            if term_id is None:
                continue
            docs, tfs = self._postings(term_id)
            out[docs] += self.idf(term) * tfs * (self.k1 + 1) / (tfs + self._norm[docs])
        return out

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The `k` best passages as (position, score), best first, zero scores left out."""
        scores = self.scores(query)
        k = min(k, self.size)
        if k == 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best if scores[i] > 0]


def _joined(items: list[str]) -> np.ndarray:
    """Strings as one array of UTF-8 bytes, newline-separated (no term or id holds one)."""
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def _split(array: np.ndarray) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []
