"""A bearer-token gate in front of a Chroma server, as a reverse proxy (nginx, Caddy) would be.

`chroma run` 1.5.x cannot check tokens itself: its Rust frontend ships only a no-op
authenticator and ignores CHROMA_SERVER_AUTHN_* (chroma-core/chroma#3750, measured). So a
token-protected deployment puts a proxy in front of it, and this is that proxy, minimal.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host"}


class TokenProxy:
    """Forwards requests carrying `Authorization: Bearer <token>`; answers 401 to the rest."""

    def __init__(self, upstream_port: int, token: str, refusal: bytes = b"Unauthorized") -> None:
        self.seen_authorization: list[str] = []
        handler = _handler(upstream_port, f"Bearer {token}", self.seen_authorization, refusal)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> TokenProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


def _handler(upstream_port: int, expected: str, seen: list[str], refusal: bytes):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            given = self.headers.get("Authorization", "")
            seen.append(given)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if given != expected:
                self._reply(401, {"Content-Type": "text/plain"}, refusal)
                return
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                kept = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
                self._reply(response.status, kept, payload)
            finally:
                upstream.close()

        def _reply(self, status: int, headers: dict, payload: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _forward

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    return Handler
