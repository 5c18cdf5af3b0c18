"""Summaries of repeated measurements: the median and the 95th percentile, nothing fancier."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile with linear interpolation (numpy's default), so p95 of 5 runs is defined."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict[str, float]:
    """Median, p95 and the count of a list of measurements."""
    return {
        "p50": statistics.median(values) if values else float("nan"),
        "p95": percentile(values, 0.95),
        "n": len(values),
    }


@contextmanager
def stopwatch(into: list[float]):
    """Appends the seconds the block took to `into`."""
    started = time.perf_counter()
    yield
    into.append(time.perf_counter() - started)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM) while it is still running, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def folder_mb(folder: Path) -> float:
    """Bytes of the files under `folder` actually allocated on disk, in MiB (like du)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file():
            total += path.stat().st_blocks * 512
    return total / (1024 * 1024)


def seedbot_command() -> list[str]:
    """The installed `seedbot` entry point of this environment."""
    return [str(Path(sys.executable).parent / "seedbot")]


def run_quiet(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=True, **kwargs)
