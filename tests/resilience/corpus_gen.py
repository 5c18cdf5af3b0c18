"""Larger corpora made from the seed texts: same shape and language, different passages."""

from __future__ import annotations

import random
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def variant(text: str, tag: str, rng: random.Random) -> str:
    """The text with each line tagged and the lines of each block shuffled: new passage ids."""
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        lines = [f"{line} ({tag})" if line.strip() else line for line in block.split("\n")]
        rng.shuffle(lines)
        out.append("\n".join(lines))
    return "\n\n".join(out)


def grow_corpus(folder: Path, copies: int, seed: int = 0) -> list[Path]:
    """Write `copies` variants of every seed file into `folder`; returns the files written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(SEEDS.glob("*.txt")):
        text = source.read_text(encoding="utf-8")
        for n in range(copies):
            path = folder / f"{source.stem}-v{n:02d}.txt"
            path.write_text(variant(text, f"v{n}", rng), encoding="utf-8")
            written.append(path)
    return written


def mutate(folder: Path, rng: random.Random, round_no: int) -> str:
    """One random change to the corpus: edit, add or delete a file. Returns what it did."""
    files = sorted(folder.glob("*.txt"))
    choice = rng.choice(["edit", "edit", "add", "delete"] if len(files) > 2 else ["add"])
    if choice == "add":
        source = rng.choice(sorted(SEEDS.glob("*.txt")))
        path = folder / f"added-{round_no:02d}.txt"
        path.write_text(variant(source.read_text(encoding="utf-8"), f"a{round_no}", rng))
    elif choice == "edit":
        path = rng.choice(files)
        path.write_text(variant(path.read_text(encoding="utf-8"), f"e{round_no}", rng))
    else:
        path = rng.choice(files)
        path.unlink()
    return f"{choice} {path.name}"
