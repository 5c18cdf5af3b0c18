"""Answer latency, cold start and peak memory of the real `seedbot ask --jsonl` process.

Each run starts a fresh process on a built index, as a user would: the time from spawning
it to reading its first answer is the cold start; the questions after that give the answer
latency (the service's own timings: embed, retrieve, answer, total); the process's peak
resident set (VmHWM) is read just before its input is closed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.stats import peak_rss_mb, seedbot_command, summary

STAGES = ("embed", "retrieve", "answer", "total")
IDLE_WINDOW_S = 0.5
IDLE_SHARE = 0.05  # of one core: what "idle" means for the child between questions


@dataclass
class ProcessRun:
    """What one `seedbot ask --jsonl` process showed."""

    cold_start_s: float
    peak_rss_mb: float
    warm_up_s: float = 0.0  # after the first answer, until the background warm-up went idle
    timings: dict[str, list[float]] = field(default_factory=dict)  # stage -> ms per answer
    first_round_total: list[float] = field(default_factory=list)
    refused: int = 0
    answers: int = 0


def ask_env(corpus_dir: Path, store_dir: Path) -> dict[str, str]:
    """Settings for the child: this index, the offline answerer, whatever a .env says."""
    env = dict(os.environ)
    env.update(
        {
            "CORPUS_DIR": str(corpus_dir),
            "STORE_DIR": str(store_dir),
            "CHROMA_HOST": "",
            "LLM_MODEL": "",
            "LLM_BASE_URL": "",
            "EMBEDDINGS": "minilm",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def run_process(corpus_dir: Path, store_dir: Path, questions: list[str], rounds: int) -> ProcessRun:
    """Start `seedbot ask --jsonl`, time its first answer, then ask the questions `rounds` times."""
    command = [*seedbot_command(), "--env-file", os.devnull, "ask", "--jsonl"]
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        bufsize=1,
        env=ask_env(corpus_dir, store_dir),
    )
    try:
        first = _ask(child, questions[0])
        run = ProcessRun(time.perf_counter() - started, float("nan"))
        run.warm_up_s = _wait_idle(child.pid)
        run.timings = {stage: [] for stage in STAGES}
        for number in range(rounds):
            for question in questions:
                answer = _ask(child, question)
                _record(run, answer, first_round=number == 0)
        run.peak_rss_mb = peak_rss_mb(child.pid)
        del first
        return run
    finally:
        child.stdin.close()
        child.wait(timeout=60)


def _wait_idle(pid: int, limit_s: float = 180.0) -> float:
    """Seconds until the process stops using CPU on its own (the bot's word-cache prefetch).

    "After start-up" means after that: answers measured during it would time the prefetch
    thread competing for the two cores, not the answering path.
    """
    process = psutil.Process(pid)
    started = time.perf_counter()
    before = sum(process.cpu_times()[:2])
    while time.perf_counter() - started < limit_s:
        time.sleep(IDLE_WINDOW_S)
        now = sum(process.cpu_times()[:2])
        if now - before < IDLE_SHARE * IDLE_WINDOW_S:
            break
        before = now
    return time.perf_counter() - started


def _ask(child: subprocess.Popen, question: str) -> dict:
    child.stdin.write(question.replace("\n", " ") + "\n")
    child.stdin.flush()
    line = child.stdout.readline()
    if not line:
        raise RuntimeError("seedbot ask --jsonl ended without answering (see its stderr)")
    return json.loads(line)


def _record(run: ProcessRun, answer: dict, first_round: bool) -> None:
    if "error" in answer:
        raise RuntimeError(f"seedbot could not answer: {answer['error']}")
    for stage in STAGES:
        run.timings[stage].append(float(answer["timings_ms"].get(stage, 0.0)))
    if first_round:
        run.first_round_total.append(float(answer["timings_ms"]["total"]))
    run.answers += 1
    run.refused += bool(answer["refused"])


def measure(
    corpus_dir: Path, store_dir: Path, questions: list[str], processes: int, rounds: int
) -> dict:
    """Latency per stage, cold start and peak RSS over `processes` fresh processes.

    The first process starts with no saved BM25 index and builds it (as the first start on
    a new index version does); the others load it. Cold start and peak RSS are reported
    for the first apart from the rest.
    """
    shutil.rmtree(store_dir / "bm25", ignore_errors=True)
    runs = [run_process(corpus_dir, store_dir, questions, rounds) for _ in range(processes)]
    pooled = {stage: [t for r in runs for t in r.timings[stage]] for stage in STAGES}
    later = runs[1:] or runs
    return {
        "processes": processes,
        "answers": sum(r.answers for r in runs),
        "latency_ms": {stage: summary(values) for stage, values in pooled.items()},
        "first_asking_total_ms": summary([t for r in runs for t in r.first_round_total]),
        "cold_start_s": summary([r.cold_start_s for r in later]),
        "peak_rss_mb": summary([r.peak_rss_mb for r in later]),
        "first_process": {"cold_start_s": runs[0].cold_start_s, "peak_rss_mb": runs[0].peak_rss_mb},
        "warm_up_s": summary([r.warm_up_s for r in runs]),
        "refused_share": sum(r.refused for r in runs) / max(1, sum(r.answers for r in runs)),
    }
