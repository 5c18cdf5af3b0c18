"""The on-disk format of the store's numpy caches (chunk cache, file stamps): columns in one
.npz file, strings as newline-separated UTF-8, written whole or not at all."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


def joined(items: list[str]) -> np.ndarray:
    """Strings as one array of UTF-8 bytes, newline-separated (no path, hash or id holds one)."""
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def split(array: np.ndarray) -> list[str]:
    text = array.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def write_whole(path: Path, what: str, **columns: np.ndarray) -> None:
    """Write the columns to `path` through a temporary file, so a reader sees the old file or
    the new one, never half of one. A cache: a failure only logs."""
    tmp = path.with_name(f"{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            np.savez(handle, **columns)
        tmp.replace(path)
    except OSError as exc:
        log.warning("%s not written to %s: %s", what, path, exc)
