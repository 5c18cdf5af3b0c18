"""`seedbot` in other processes: one-shot commands, and a long-lived `ask --jsonl` on a pipe."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

SEEDBOT = [sys.executable, "-m", "bot"]
ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 120.0
ANSWER_TIMEOUT_S = 60.0


def seedbot_env(**settings: object) -> dict[str, str]:
    """A clean environment with only the given settings (a developer's CHROMA_* must not leak)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["PYTHONPATH"] = str(ROOT)
    env["LOG_LEVEL"] = "WARNING"
    env.update({name.upper(): str(value) for name, value in settings.items()})
    return env


def run_seedbot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """Run one `seedbot` command to its end (cwd without a `.env`, so only `env` counts)."""
    return subprocess.run(
        [*SEEDBOT, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
    )


def start_seedbot(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    """Start a `seedbot` command in its own process group (so it can be killed whole)."""
    return subprocess.Popen(
        [*SEEDBOT, *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


class JsonlAsker:
    """A `seedbot ask --jsonl` process: a question in on stdin, one JSON answer out."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [*SEEDBOT, "ask", "--jsonl"],
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def ask(self, question: str) -> dict:
        self.process.stdin.write(question.replace("\n", " ") + "\n")
        self.process.stdin.flush()
        try:
            line = self._lines.get(timeout=ANSWER_TIMEOUT_S)
        except queue.Empty:
            raise AssertionError(f"no answer in {ANSWER_TIMEOUT_S} s") from None
        if line is None:
            raise AssertionError(f"seedbot ask --jsonl died:\n{self.process.stderr.read()}")
        return json.loads(line)

    def close(self) -> str:
        """End the process (closing stdin ends its loop) and return what it wrote to stderr."""
        self.process.stdin.close()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        return self.process.stderr.read()
