"""Words the texts never use and English rarely does: the subject of a question they don't cover.

"how do I use git worktree", "set up structlog for json logs", "git lfs for psd files": the
word that names the subject is in no passage, and it is no everyday word a member might use
in place of the texts' own ("laptop", "undo", "caveat"). Everyday English here is the whole
words of the embedding model's WordPiece vocabulary (30,522 entries) and the English word list
that pyspellchecker ships (160,572 words counted in subtitles and books; MIT licence): a word
neither has is a name, a tool or jargon ("submodule", "asyncio", "ssl"). A word one typing
slip away from a word of the texts ("defualt", "lenghts"), or of a long everyday word
("pipline"), is that word, mistyped; a word the texts write in a longer form ("interp",
"gpt" beside "gpt4", "finetuning" beside "fine-tuning") is theirs.

A refusal names such a word ("they never mention “submodule”"). It is also a feature of the
refusal model (`unknown_term`): fitted beside the similarity measured from the corpus's floor
(search/chance.py), it raised the correct refusals of every corpus held out in turn
(eval/README.md).
"""

from __future__ import annotations

import bisect
import gzip
import json
import re
import string
import weakref
from dataclasses import dataclass
from functools import cache
from importlib import resources

from retrieval.answer.support import MIN_ABBREVIATION
from retrieval.index.embedder import TOKENIZER_PATH
from retrieval.search.keywords import STOPWORDS, KeywordIndex, _stem, terms, words

# Chat spellings that are no subject: contractions typed without their apostrophe, and fillers.
CHAT_WORDS = frozenset(
    """didnt cant wont doesnt isnt arent wasnt werent dont shouldnt couldnt wouldnt hes shes
    havent hasnt hadnt aint mustnt neednt im ive youre theyre whats thats pls plz ppl bc rn lol
    lmao wtf omg oops btw imo tbh idk thx ur smth sth tho cuz coz""".split()
)
# Inflections cut before looking a word up ("replying" is "reply"; "penalizing", "penalize").
_SUFFIXES = ("ing", "ed", "es", "s", "ly", "ers", "er", "ation", "ness")
MIN_LETTERS = 3


@cache
def everyday_words() -> frozenset[str]:
    """The whole (not "##" piece) alphabetic words of the WordPiece vocabulary, and the words
    of pyspellchecker's English list."""
    vocab = json.loads(TOKENIZER_PATH.read_text(encoding="utf-8"))["model"]["vocab"]
    listed = resources.files("spellchecker") / "resources" / "en.json.gz"
    with listed.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        counted = json.load(text)
    return frozenset(w for w in (*vocab, *counted) if w.isalpha() and w.isascii())


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
    american = _american(word)  # the word itself when it has no British ending
    if american != word and (_everyday(american) or _in_texts(american, keywords)):
        return False
    return not (
        _everyday(word)
        or _mistyped(word, keywords)
        or _prefixed(word, keywords)
        or _texts_form(word, keywords)
    )


# Prefixes that make new words of old ones ("underspecified", "reframing", "unformatted").
_PREFIXES = ("counter", "under", "over", "out", "mis", "un", "re")
MIN_PREFIXED = 5  # letters after the prefix: "rename" is no "name" made new


def _prefixed(word: str, keywords: KeywordIndex) -> bool:
    rests = [word[len(p) :] for p in _PREFIXES if word.startswith(p)]
    return any(
        len(rest) >= MIN_PREFIXED and (_everyday(rest) or _in_texts(rest, keywords))
        for rest in rests
    )


# British spellings, as the word lists (mostly American) have them: "characterise", "analyse".
_BRITISH = (("isation", "ization"), ("ise", "ize"), ("ising", "izing"), ("ised", "ized"))
_BRITISH += (("ises", "izes"), ("yse", "yze"), ("ysing", "yzing"), ("ysed", "yzed"))
_NOT_LETTERS = re.compile(r"[^a-z]+")
MIN_EVERYDAY_TYPO = 7  # shorter words are one slip from too many others ("reflog", "reflow")


def _american(word: str) -> str:
    for british, american in _BRITISH:
        if word.endswith(british):
            return word[: -len(british)] + american
    return word


def _texts_form(word: str, keywords: KeywordIndex) -> bool:
    """The texts write the word in another form: whole where the question shortens it
    ("interp" for "interpretability"), as part of a longer token ("gpt" in "gpt4",
    "stderr" in "sys.stderr"), or hyphenated ("finetuning" for "fine-tuning")."""
    forms = _forms(keywords)
    if word in forms.parts or _stem(word) in forms.unhyphenated:
        return True
    if len(word) < MIN_ABBREVIATION:
        return False
    following = bisect.bisect_left(forms.terms, word)
    return following < len(forms.terms) and forms.terms[following].startswith(word)


@dataclass(frozen=True)
class _Forms:
    terms: list[str]  # sorted, to find the ones a shortened word begins
    parts: frozenset[str]  # the letter runs of tokens that are more than letters
    unhyphenated: frozenset[str]  # hyphenated terms written whole, as stems


_FORMS: weakref.WeakKeyDictionary[KeywordIndex, _Forms] = weakref.WeakKeyDictionary()


def _forms(keywords: KeywordIndex) -> _Forms:
    """Worked out once per index (a new index comes with each refresh of the texts)."""
    forms = _FORMS.get(keywords)
    if forms is None:
        other = [t for t in keywords.vocab if not t.isalpha()]
        forms = _Forms(
            sorted(keywords.vocab),
            frozenset(p for t in other for p in _NOT_LETTERS.split(t) if p),
            frozenset(_stem(t.replace("-", "")) for t in other if "-" in t),
        )
        _FORMS[keywords] = forms
    return forms


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
    if len(word) < 4:  # at three letters, only two swapped: "teh", "adn"
        swapped = {word[1] + word[0] + word[2], word[0] + word[2] + word[1]}
        return len(word) == 3 and not swapped.isdisjoint(STOPWORDS)
    vocab = keywords.vocab  # stems: a variant of the word's stem is looked up as it is
    stems = {stem for t in terms(word) for stem in _one_edit(t)}
    variants = _one_edit(word)
    if any(v in STOPWORDS or v in vocab for v in variants | stems):
        return True
    if len(word) >= MIN_EVERYDAY_TYPO and not variants.isdisjoint(everyday_words()):
        return True
    # An inflected variant ("likley" is "likely") is in the vocabulary as its stem.
    return any(_stem(v) in vocab for v in variants if v.endswith(_SUFFIXES))


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
