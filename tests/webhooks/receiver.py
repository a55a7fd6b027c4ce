"""A receiving system of ours: a real HTTP server on loopback, in a thread of the test
process, that keeps what it is sent and answers what the test tells it to.

``verify`` is the README's receiver check ("Integrating"), word for word."""

import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.servers import free_port


def verify(secret: str, headers, body: bytes, *, now: float | None = None, tolerance: int = 300) -> bool:
    """True if ``body`` was signed with ``secret`` less than ``tolerance`` seconds ago."""
    timestamp = headers.get("X-HHL-Timestamp", "")
    signature = headers.get("X-HHL-Signature", "")
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False  # a replay of an old request, or a clock far off
    expected = "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


class Received:
    def __init__(self, path: str, headers: dict[str, str], body: bytes):
        self.path = path
        self.headers = headers
        self.body = body


class Receiver:
    """``answers``: the status codes to give, in turn (200 once they run out)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hooks/hhl"
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.refused: set[int] = set()  # event ids answered 500, always
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers answer

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                if int(self.headers.get("X-HHL-Event-Id") or 0) in receiver.refused:
                    status = 500
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def event_ids(self) -> list[int]:
        return [int(r.headers["X-HHL-Event-Id"]) for r in self.received]
