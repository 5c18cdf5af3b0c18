"""Process-level memory settings, applied once at start-up before any thread exists."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's mallopt parameter number


def limit_malloc_arenas(count: int = 2) -> bool:
    """Cap glibc's malloc arenas, as MALLOC_ARENA_MAX does; True if it took effect.

    glibc gives each thread that allocates its own arena (up to 8 per core), and the
    model's, Chroma's and our worker threads each keep theirs: at 100,000 passages that
    is about 50 MiB of peak RSS for nothing (bench/results.md, memory).
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return bool(ctypes.CDLL(name).mallopt(M_ARENA_MAX, count))
    except (OSError, AttributeError):  # not glibc: nothing to do
        return False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Start-up work with Python's cyclic garbage collector off; what it made is then frozen.

    A start-up makes some 200,000 objects that live as long as the process (modules,
    classes, pydantic's and LangChain's schemas, Chroma's client). Run every 700
    allocations, the collector traverses that growing heap again and again while it is made,
    and three more times once it is made, as the objects age through its generations: about
    0.4 s of a cold start on the 2-core benchmark machine. gc.freeze() sets them aside, so
    later collections skip them; the price is that garbage cycles made before the freeze are
    never freed: at an `ask` start, 2,841 objects of 215,000 (under a megabyte), once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
