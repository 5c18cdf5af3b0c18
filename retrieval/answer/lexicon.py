"""Words the texts never use and English rarely does: the subject of a question they don't cover.

"how do I use git worktree", "set up structlog for json logs", "git lfs for psd files": the
word that names the subject is in no passage, and it is no everyday word a member might use
in place of the texts' own ("laptop", "undo"). Everyday English here is the whole
words of the embedding model's WordPiece vocabulary (30,522 entries, shipped in the package):
a word it has to cut into pieces is a name, a tool or jargon. A word one typing slip away
from a word of the texts ("defualt", "lenghts") is the texts' word, mistyped.

It is a candidate feature of the refusal fit (`unknown_term`, `seedbot eval --fit`). The
shipped model does not use it: on the three corpora's development sets it raised the
cross-validated AUC on the Git pages but let some off-topic questions through (eval/README.md).
"""

from __future__ import annotations

import json
import string
from functools import cache

from retrieval.index.embedder import TOKENIZER_PATH
from retrieval.search.keywords import STOPWORDS, KeywordIndex, terms, words

# Chat spellings that are no subject: contractions typed without their apostrophe, and fillers.
CHAT_WORDS = frozenset(
    """didnt cant wont doesnt isnt arent wasnt werent dont shouldnt couldnt wouldnt hes shes
    im ive youre theyre whats thats pls plz ppl bc rn lol lmao wtf omg oops btw imo tbh idk
    thx ur""".split()
)
# Inflections cut before looking a word up ("replying" is "reply"; "penalizing", "penalize").
_SUFFIXES = ("ing", "ed", "es", "s", "ly", "ers", "er", "ation", "ness")
MIN_LETTERS = 3


@cache
def everyday_words() -> frozenset[str]:
    """The whole (not "##" piece) alphabetic words of the WordPiece vocabulary."""
    vocab = json.loads(TOKENIZER_PATH.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocab if w.isalpha() and w.isascii())


def unknown_terms(question: str, keywords: KeywordIndex) -> list[str]:
    """The question's words that no passage uses and that are no everyday word or typo."""
    found = []
    for word in words(question):
        for part in word.split("-"):  # "skip-worktree": each part on its own
            if _is_unknown(part, keywords):
                found.append(part)
    return found


def _is_unknown(word: str, keywords: KeywordIndex) -> bool:
    if len(word) < MIN_LETTERS or word in STOPWORDS or not word.isalpha():
        return False
    if _in_texts(word, keywords):
        return False
    return not (_everyday(word) or _mistyped(word, keywords))


def _everyday(word: str) -> bool:
    common = everyday_words()
    if word in common or word in CHAT_WORDS:
        return True
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if (
            word.endswith(suffix)
            and len(stem) >= MIN_LETTERS
            and (stem in common or stem + "e" in common)
        ):
            return True
    return False


def _mistyped(word: str, keywords: KeywordIndex) -> bool:
    """Whether one edit (a letter dropped, added, changed, or two swapped) makes it a word of
    the texts. Short words are left alone: at four letters most edits make some word."""
    if len(word) < 4:
        return False
    vocab = keywords.vocab  # stems: a variant of the word's stem is looked up as it is
    stems = {stem for t in terms(word) for stem in _one_edit(t)}
    variants = _one_edit(word)
    if any(v in STOPWORDS or v in vocab for v in variants | stems):
        return True
    # An inflected variant ("likley" is "likely") is in the vocabulary as its stem.
    return any(t in vocab for v in variants if v.endswith(_SUFFIXES) for t in terms(v))


def _in_texts(word: str, keywords: KeywordIndex) -> bool:
    """Whether some passage has the word, in any of the forms the keyword index folds together."""
    return any(t in keywords.vocab for t in terms(word))


def _one_edit(word: str) -> set[str]:
    letters = string.ascii_lowercase
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deleted = {a + b[1:] for a, b in splits if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changed = {a + c + b[1:] for a, b in splits if b for c in letters}
    added = {a + c + b for a, b in splits for c in letters}
    return deleted | swapped | changed | added
