"""Process-level memory settings, applied once at start-up before any thread exists."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

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
