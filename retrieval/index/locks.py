"""A refresh lock that refuses a second refresh instead of queueing it, in-process and across."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from retrieval.errors import RefreshRunningError


class RefreshLock:
    """Held for the length of one refresh; a second `acquire` fails at once with a clear error.

    A thread lock covers refreshes in this process (the bot's own); an flock on a file in the
    store folder covers a `seedbot index` started in another process on the same machine.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    def __enter__(self) -> RefreshLock:
        if not self._thread_lock.acquire(blocking=False):
            raise RefreshRunningError("A refresh is already running; wait for it to finish.")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise RefreshRunningError(
                    "A refresh is already running in another process; wait for it to finish."
                ) from None
            self._fd = fd
        except BaseException:
            self._thread_lock.release()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._thread_lock.release()

    @property
    def running(self) -> bool:
        return self._thread_lock.locked()
