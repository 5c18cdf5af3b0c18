"""Which corpus files are unchanged since they were last read, from their stat alone.

Reading and hashing every file costs about 0.5 ms a file (3 s at 5,842 files), so a refresh
trusts the digest it recorded for a file whose size, modification and change times and
inode are the ones recorded with it, as git's index and rsync do. The change time (ctime)
cannot be set back by a program, and any write or rename moves it.

A timestamp has a tick (a coarse kernel clock, or a filesystem's 1 or 2 s), so a file
written twice within one tick, once before a refresh read it and once after, keeps the same
stat ("racy git"). So a file's stat is only recorded once its ctime is RACY_NS older than
the refresh that read it: a write after that read gets a later ctime. Files changed more
recently are read again next time, which is what every file cost before.
"""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from retrieval import npzfile

log = logging.getLogger(__name__)

# More than any timestamp tick (FAT's 2 s) plus the kernel's coarse clock lag (milliseconds).
RACY_NS = 3_000_000_000
_INT63 = (1 << 63) - 1


class Stat(NamedTuple):
    """What a file's stat says about its content: equal stats, same content (see above)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, stat: os.stat_result) -> Stat:
        # An inode number may use all 64 bits; the stamps are saved as signed ones.
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino & _INT63)

    def settled(self, read_at_ns: int) -> bool:
        """Whether no later write can share this stat: its last change was ticks before."""
        return max(self.mtime_ns, self.ctime_ns) < read_at_ns - RACY_NS


class Seen(NamedTuple):
    """A file's stat when it was read, and the digest of the text read."""

    stat: Stat
    sha256: str


def load(path: Path | None) -> dict[str, Seen]:
    """The recorded stats and digests, or none if the file is missing or unreadable."""
    if path is None or not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            sources = npzfile.split(data["sources"])
            shas = npzfile.split(data["shas"])
            stats = data["stats"].tolist()
        if not len(sources) == len(shas) == len(stats):
            raise ValueError("columns of different lengths")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("file stamps %s unreadable (%s): reading every file", path, exc)
        return {}
    return {s: Seen(Stat(*row), sha) for s, sha, row in zip(sources, shas, stats)}


def save(path: Path | None, seen: dict[str, Seen]) -> None:
    """Write the stamps whole, or not at all (only a cache: failures log)."""
    if path is None:
        return
    seen = {s: v for s, v in seen.items() if "\n" not in s}  # the separator of this format
    npzfile.write_whole(
        path,
        "file stamps",
        sources=npzfile.joined(list(seen)),
        shas=npzfile.joined([v.sha256 for v in seen.values()]),
        stats=np.asarray([v.stat for v in seen.values()], dtype=np.int64).reshape(-1, 4),
    )
