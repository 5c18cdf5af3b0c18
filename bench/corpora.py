"""Large corpora from real text that Debian packages ship, chunked exactly like the seeds.

The seeds hold 32 passages, too few to say anything about scale. The large corpora are the
seeds followed by reference documentation: Python's (python3.11-doc), the Linux kernel's
(linux-doc-6.1), Perl's (perl-doc) and Git's (git-doc). Files of the four sets are taken in
turn, so every prefix mixes prose of all four; the 10,000-passage corpus is a prefix of the
100,000-passage one, so the embeddings of the smaller come first in the cache.

With `eval_first`, the documentation pages that eval/howtos and eval/gitdocs are about come
right after the seeds instead of in their turn (most of them lie beyond 10,000 passages
otherwise), so the dev questions of all three corpora can be asked among the filler;
`scale_cases` names their gold files as the large corpus does.
"""

from __future__ import annotations

import gzip
import itertools
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from retrieval.evaluation.evaluate import Case, load_cases
from retrieval.ingest.chunking import chunk_corpus
from retrieval.ingest.corpus import Document, read_corpus
from retrieval.types import Passage as Chunk

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CACHE = ROOT / "bench" / ".cache"
PACKAGES = ("python3.11-doc", "linux-doc-6.1", "perl-doc", "git-doc")

# (name in the corpus, folder the package installs, file pattern)
TEXT_SETS = (
    ("python", Path("/usr/share/doc/python3.11/html/_sources"), "**/*.rst.txt"),
    ("linux", Path("/usr/share/doc/linux-doc-6.1/html/_sources"), "**/*.rst.txt"),
    ("perl", Path("/usr/share/perl/5.36.0/pod"), "*.pod"),
    ("git", Path("/usr/share/doc/git-doc"), "*.txt"),
    ("linux-txt", Path("/usr/share/doc/linux-doc-6.1/Documentation"), "**/*.txt.gz"),
)
EVAL = ROOT / "eval"
# The corpora of eval/ taken from the same packages: (folder in eval/, set, folder in the set)
EVAL_CORPORA = (("howtos", "python", "howto/"), ("gitdocs", "git", ""))


@dataclass
class Corpus:
    """A corpus folder on disk and the passages of it that the index holds."""

    name: str
    folder: Path
    documents: list[Document]
    chunks: list[Chunk]


def ensure_packages() -> None:
    """Install the documentation packages when missing (root only; the quick bench skips this)."""
    missing = [name for name, folder, _ in TEXT_SETS if not folder.is_dir()]
    if not missing:
        return
    if os.geteuid() != 0:
        raise SystemExit(
            f"bench: text for large corpora missing ({', '.join(missing)}); install the Debian "
            f"packages {' '.join(PACKAGES)} or run `make bench-quick`."
        )
    log.info("installing %s for the large corpora", " ".join(PACKAGES))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def source_documents(eval_first: bool = False) -> list[Document]:
    """The seeds, then the documentation files of all sets, taken in turn.

    With `eval_first`, the files of eval/'s corpora come right after the seeds, once.
    """
    seeds = read_corpus(SEEDS).documents
    per_set = [_read_set(name, folder, pattern) for name, folder, pattern in TEXT_SETS]
    mixed = [doc for group in itertools.zip_longest(*per_set) for doc in group if doc]
    if not eval_first:
        return seeds + mixed
    by_source = {d.source: d for d in mixed}
    leading = [_eval_document(path, name, by_source) for path, name in eval_files()]
    chosen = {d.source for d in leading}
    return seeds + leading + [d for d in mixed if d.source not in chosen]


def eval_files() -> list[tuple[Path, str]]:
    """Each file of eval/'s corpora and its name in the large corpus."""
    return [
        (path, scale_name(folder, path.name))
        for folder, _, _ in EVAL_CORPORA
        for path in sorted((EVAL / folder / "corpus").glob("*.txt"))
    ]


def scale_name(eval_folder: str, source: str) -> str:
    """The large corpus's name for file `source` of eval/<eval_folder>/corpus."""
    for folder, text_set, inside in EVAL_CORPORA:
        if folder == eval_folder:
            return f"docs/{text_set}/{inside}{source}"
    raise ValueError(f"no large-corpus names for eval/{eval_folder}")


def _eval_document(path: Path, name: str, by_source: dict[str, Document]) -> Document:
    """The package's copy of an eval corpus file; it must be the same text."""
    found = by_source.get(name)
    if found is None or found.text != path.read_text(encoding="utf-8"):
        raise SystemExit(f"bench: {path} is not the packaged {name}")
    return found


def scale_cases(question_set: Path) -> list[Case]:
    """A question set with its gold files named as in the large corpus.

    The seeds keep their names; a set beside a `corpus/` folder of EVAL_CORPORA has its files
    under the package's folder (`logging.rst.txt` becomes `docs/python/howto/logging.rst.txt`).
    """
    cases = load_cases(question_set)
    folder = question_set.resolve().parent
    if folder == EVAL:
        return cases
    return [
        replace(c, gold=[replace(g, source=scale_name(folder.name, g.source)) for g in c.gold])
        for c in cases
    ]


def _read_set(name: str, folder: Path, pattern: str) -> list[Document]:
    docs = []
    for path in sorted(folder.glob(pattern)):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        if text.strip() and b"\x00" not in data:
            relative = path.relative_to(folder).as_posix().removesuffix(".gz")
            suffix = "" if relative.endswith(".txt") else ".txt"
            docs.append(Document(f"docs/{name}/{relative}{suffix}", text))
    return docs


def chunks_for(size: int, documents: list[Document]) -> list[Chunk]:
    """At least `size` passages (if the text has them), from as few leading files as will do.

    Chunking all the text takes over a minute, so a prefix of the files is chunked,
    guessed from its length and doubled until it holds enough passages.
    """
    chars, count = 0, 0
    for count, doc in enumerate(documents, 1):  # noqa: B007
        chars += len(doc.text)
        if chars > size * 600:
            break
    while True:
        chunks = chunk_corpus(documents[:count])
        if len(chunks) >= size or count >= len(documents):
            return chunks
        count *= 2


def corpus_of(size: int, documents: list[Document], chunks: list[Chunk], tag: str = "") -> Corpus:
    """The first `size` passages, and a corpus folder with the files they come from.

    Chunking a prefix of the files gives a prefix of the passages (a paragraph is kept
    where it is first seen), so the folder holds exactly the documents those passages need.
    """
    if len(chunks) < size:
        raise SystemExit(f"bench: only {len(chunks):,} passages of text, {size:,} asked for")
    kept = chunks[:size]
    needed = {c.source for c in kept}
    docs = [d for d in documents if d.source in needed]
    folder = CACHE / "corpora" / f"c{size}{tag}"  # a tag for another order of the files
    _write_folder(folder, docs)
    return Corpus(f"{size:,} passages", folder, docs, kept)


def _write_folder(folder: Path, documents: list[Document]) -> None:
    """Write the documents as UTF-8 files (once: an existing complete folder is kept)."""
    marker = folder / ".complete"
    if marker.is_file() and marker.read_text() == str(len(documents)):
        return
    shutil.rmtree(folder, ignore_errors=True)
    for doc in documents:
        path = folder / doc.source
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc.text, encoding="utf-8")
    marker.write_text(str(len(documents)))


def seed_corpus() -> Corpus:
    """The committed seeds, as they are."""
    documents = read_corpus(SEEDS).documents
    return Corpus("seeds", SEEDS, documents, chunk_corpus(documents))
