"""A real `chroma run` server on 127.0.0.1 for tests: started, stopped and restarted on demand.

Chroma's CLI ships with chromadb (`.venv/bin/chroma`); the server is the same Rust frontend
a deployment runs, so server-mode tests exercise the real HTTP path, errors included.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import chromadb
import httpx
from chromadb.config import Settings as ChromaSettings

CHROMA = Path(sys.executable).parent / "chroma"
START_TIMEOUT_S = 60.0  # cold start on a busy 2-core machine; normally about 1.5 s
STOP_TIMEOUT_S = 10.0


def free_port() -> int:
    """A TCP port nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chroma_settings() -> ChromaSettings:
    return ChromaSettings(anonymized_telemetry=False)


class ChromaServer:
    """One `chroma run --path PATH --host 127.0.0.1 --port PORT` process; restarts keep the port."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = path
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.log = path.parent / f"chroma-{self.port}.log"
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> ChromaServer:
        """Start the server and return once its heartbeat answers (bounded wait)."""
        self.path.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "NO_COLOR": "1"}
        command = [
            str(CHROMA),
            "run",
            "--path",
            str(self.path),
            "--host",
            self.host,
            "--port",
            str(self.port),
        ]
        with self.log.open("ab") as log:
            # Its own session, so stopping it can never signal pytest's process group.
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self._wait_for_heartbeat()
        return self

    def _wait_for_heartbeat(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if not self.running:
                raise RuntimeError(f"chroma run exited early; its log:\n{self.log_tail()}")
            try:
                httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1.0).raise_for_status()
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"chroma run gave no heartbeat in {START_TIMEOUT_S} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL if it lingers); the data folder stays."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGCONT)  # a frozen server would not act on SIGTERM
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT_S)

    def freeze(self) -> None:
        """Suspend the server (SIGSTOP): it keeps its socket but answers nothing."""
        os.kill(self._process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self._process.pid, signal.SIGCONT)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    # -- clients -------------------------------------------------------------------------

    def client(self, database: str = chromadb.DEFAULT_DATABASE, headers: dict | None = None):
        return chromadb.HttpClient(
            host=self.host,
            port=self.port,
            headers=headers,
            settings=chroma_settings(),
            database=database,
        )

    def new_database(self) -> str:
        """A fresh, empty database on this server, so tests sharing it cannot see each other."""
        name = f"test-{uuid.uuid4().hex[:12]}"
        admin = chromadb.AdminClient(
            ChromaSettings(
                anonymized_telemetry=False,
                chroma_api_impl="chromadb.api.fastapi.FastAPI",
                chroma_server_host=self.host,
                chroma_server_http_port=self.port,
            )
        )
        admin.create_database(name)
        return name

    def clear_default_database(self) -> None:
        """Empty the default database: what a process configured only by CHROMA_HOST uses."""
        client = self.client()
        try:
            for collection in client.list_collections():
                client.delete_collection(collection.name)
        finally:
            client.close()
