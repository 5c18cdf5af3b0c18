"""Calibrate the evidence level that overrides a model's "no answer" (retrieval.llm.arbitration).

    .venv/bin/python -m bench.arbitration [--set FILE ...]

Answers the pooled question sets offline (a fresh index of seeds/), then prints the chosen
level, its two-fold check and the sweep as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from retrieval.evaluation import arbitration
from retrieval.evaluation.evaluate import evaluate, load_cases
from retrieval.llm.arbitration import MIN_PRECISION

ROOT = Path(__file__).resolve().parent.parent
POOL = ("questions", "heldout", "heldout2", "heldout3", "heldout4")  # the calibration pool


def offline_service(folder: Path):
    """The service over a fresh index of the seed corpus, without an LLM."""
    import shutil

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from retrieval.assembly import assemble
    from retrieval.index.embedder import MiniLMEmbeddings
    from retrieval.index.store import Store
    from retrieval.settings import Settings

    shutil.copytree(ROOT / "seeds", folder / "corpus")
    settings = Settings(corpus_dir=folder / "corpus", store_dir=folder / "store")
    client = chromadb.PersistentClient(
        path=str(settings.store_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    service = assemble(settings, Store(client), MiniLMEmbeddings())
    service.refresh()
    return service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", type=Path, help="question set (repeatable)")
    args = parser.parse_args()
    paths = args.set or [ROOT / "eval" / f"{name}.jsonl" for name in POOL]
    with tempfile.TemporaryDirectory() as folder:
        service = offline_service(Path(folder))
        outcomes = [o for p in paths for o in evaluate(service, load_cases(p)).outcomes]
    result = arbitration.calibration(outcomes, MIN_PRECISION)
    print(json.dumps({"sets": [p.name for p in paths], **result}, indent=1))


if __name__ == "__main__":
    main()
