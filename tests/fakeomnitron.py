"""A fake Omnitron: a real HTTP server (the standard library's, in a thread) speaking the three
endpoints ``oimtool upload`` uses, as Akinon documents them on the "Old Order Item Migration"
page ("Example Request", "Control") and the login of its migration pages:

- ``POST /api/i1/auth/login/`` ``{"username", "password"}`` → ``{"key": token}``
- ``POST /api/v1/remote/{channel}/migrations/start/order_item/`` with ``Authorization: Token …``
  and the file in the multipart field ``file`` → ``{"migration_id": "<32 hex>"}``
- ``GET /api/v1/remote/{channel}/migrations/{id}/progress/`` → ``{"total_count",
  "error_count", "processed_count"}``

Knobs make it misbehave the ways a real one does: scripted answers to the next posts (a status,
a dropped connection, an answer that comes too late) and progress reads (503, 429 with
Retry-After), migrations that take several reads to finish, and lines counted as errors.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import re
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

_START = re.compile(r"^/api/v1/remote/(?P<channel>[^/]+)/migrations/start/order_item/$")
_PROGRESS = re.compile(r"^/api/v1/remote/(?P<channel>[^/]+)/migrations/(?P<id>[^/]+)/progress/$")


@dataclass
class Received:
    """One file Omnitron accepted."""

    migration_id: str
    channel: str
    filename: str
    sha256: str
    items: list[Any]
    errors: int
    polls: int = 0


@dataclass
class State:
    token: str = "s3cr3t-t0ken"
    users: dict[str, str] = field(default_factory=lambda: {"ops": "correct horse"})
    #: answers to the next posts, first first: "ok", "drop" (the body is read, the connection
    #: closed without an answer), ("late", seconds) (stored, then answered after a while),
    #: (status, body) or (status, body, headers)
    posts: list[Any] = field(default_factory=list)
    #: answers to the next progress reads, before the real ones: (status, headers)
    reads: list[Any] = field(default_factory=list)
    #: reads until a migration is finished (1: the first read finds it done)
    reads_to_finish: int = 1
    #: lines whose order_number is in here count as errors
    error_orders: set[str] = field(default_factory=set)
    #: keep the items of each file (tests); the bench only counts them
    keep_items: bool = True
    received: list[Received] = field(default_factory=list)
    log: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, Authorization
    lock: threading.Lock = field(default_factory=threading.Lock)

    def migration(self, migration_id: str) -> Received | None:
        return next((r for r in self.received if r.migration_id == migration_id), None)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length)

    def _authorised(self) -> bool:
        state = self.server.state
        if self.headers.get("Authorization") != f"Token {state.token}":
            self._send(401, {"detail": "Invalid token."})
            return False
        return True

    def do_POST(self) -> None:
        state = self.server.state
        with state.lock:
            state.log.append(("POST", self.path, self.headers.get("Authorization", "")))
        if self.path == "/api/i1/auth/login/":
            given = json.loads(self._body() or b"{}")
            if state.users.get(given.get("username")) == given.get("password"):
                self._send(200, {"key": state.token})
            else:
                self._send(400, {"non_field_errors": ["Unable to log in."]})
            return
        match = _START.match(self.path)
        if not match:
            self._send(404, {"detail": "Not found."})
            return
        body = self._body()
        if not self._authorised():
            return
        with state.lock:
            script = state.posts.pop(0) if state.posts else "ok"
        if script == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if isinstance(script, tuple) and isinstance(script[0], int):
            self._send(script[0], script[1], script[2] if len(script) > 2 else None)
            return
        filename, data = _file_field(self.headers.get("Content-Type", ""), body)
        if data is None:
            self._send(400, {"file": ["No file was submitted."]})
            return
        items = json.loads(data)
        errors = sum(1 for item in items if item.get("order_number") in state.error_orders)
        received = Received(uuid.uuid4().hex, match["channel"], filename,
                            hashlib.sha256(data).hexdigest(),
                            items if state.keep_items else [None] * len(items), errors)
        with state.lock:
            state.received.append(received)
        if isinstance(script, tuple) and script[0] == "late":
            time.sleep(script[1])
        with contextlib.suppress(OSError):  # the client may have given up waiting
            self._send(200, {"migration_id": received.migration_id})

    def do_GET(self) -> None:
        state = self.server.state
        with state.lock:
            state.log.append(("GET", self.path, self.headers.get("Authorization", "")))
        match = _PROGRESS.match(self.path)
        if not match:
            self._send(404, {"detail": "Not found."})
            return
        if not self._authorised():
            return
        with state.lock:
            script = state.reads.pop(0) if state.reads else None
        if script is not None:
            self._send(script[0], {"detail": "scripted"}, script[1] if len(script) > 1 else None)
            return
        received = state.migration(match["id"])
        if received is None:
            self._send(404, {"detail": "Not found."})
            return
        with state.lock:
            received.polls += 1
            share = min(1.0, received.polls / state.reads_to_finish)
        total = len(received.items)
        processed = int(total * share)
        errors = received.errors if processed == total else 0
        self._send(200, {"total_count": total, "error_count": errors,
                         "processed_count": processed})


def _file_field(content_type: str, body: bytes) -> tuple[str, bytes | None]:
    """The file name and bytes of the multipart field ``file``."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        return "", None
    for piece in body.split(b"--" + match[1].encode()):
        head, _, data = piece.partition(b"\r\n\r\n")
        if b'name="file"' in head:
            name = re.search(rb'filename="([^"]*)"', head)
            return (name[1].decode() if name else ""), data[:-2]  # the CRLF before the boundary
    return "", None


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    state: State


class FakeOmnitron:
    """The server on a free port of 127.0.0.1, in a thread: ``url``, ``state``; ``close()``."""

    def __init__(self, state: State | None = None, *, ssl_context: Any = None) -> None:
        self.state = state or State()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self.state
        if ssl_context is not None:
            self._server.socket = ssl_context.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if ssl_context is not None else "http"
        host = "localhost" if ssl_context is not None else "127.0.0.1"
        self.url = f"{scheme}://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        # Ctrl-C and SIGTERM are the main thread's (oimtool holds them back with a signal mask,
        # which a thread that does not block them would defeat); the handler threads inherit it.
        if hasattr(signal, "pthread_sigmask"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        self._server.serve_forever()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOmnitron:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def posts(self) -> int:
        return sum(1 for method, path, _ in self.state.log
                   if method == "POST" and "start/order_item" in path)


if __name__ == "__main__":  # python tests/fakeomnitron.py: serve until Ctrl-C (bench, trying)
    import sys

    server = FakeOmnitron(State(keep_items=False))
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.close()
        sys.exit(0)
