"""HTTP front: ThreadingHTTPServer (HTTP/1.1, keep-alive, Content-Length), routing to the REST, Partners and
admin handlers, per-request latency and fault injection. Request logging is off on purpose (no tokens or
personal data in logs)."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from qtickets_sandbox import admin, partners, rest
from qtickets_sandbox.http_types import Request, Response, html_404, json_response
from qtickets_sandbox.jsonio import GATEWAY_TIMEOUT, TOO_MANY_REQUESTS, UNKNOWN_ERROR, dumps

REST_PREFIX = "/api/rest/v1"
PARTNERS_PREFIX = "/api/partners/v1"


class App:
    """Server-wide settings and counters shared by the handler threads."""

    def __init__(self, store, faults, token: str, partners_token: str, latency_ms: int = 0):
        self.store, self.faults = store, faults
        self.token, self.partners_token = token, partners_token
        self.latency_ms = latency_ms
        self.requests_served = 0
        self._count_lock = threading.Lock()

    def count(self) -> None:
        with self._count_lock:
            self.requests_served += 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "qtickets-sandbox"
    sys_version = ""
    app: App = None  # set by make_server

    def log_message(self, format, *args):
        return

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self):
        raw = self._read_body()
        url = urlsplit(self.path)
        path = url.path
        parsed = None
        if raw:
            try:
                parsed = json.loads(raw)
            except (ValueError, UnicodeDecodeError):
                parsed = None
        req = Request(
            method=self.command,
            path=path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            raw=raw,
            json=parsed,
            store=self.app.store,
            app=self.app,
        )
        if path.startswith("/__sandbox/"):
            return self._send(admin.handle(req, [p for p in path[len("/__sandbox/") :].split("/") if p]))
        if path.startswith(REST_PREFIX + "/") or path.startswith(PARTNERS_PREFIX + "/"):
            return self._api(req, path)
        return self._send(html_404())

    def _api(self, req, path):
        app = self.app
        app.count()
        is_rest = path.startswith(REST_PREFIX + "/")
        rel = path[len(REST_PREFIX) + 1 :] if is_rest else path[len(PARTNERS_PREFIX) + 1 :]
        parts = [p for p in rel.split("/") if p]
        write = rest.is_write(req.method) if is_rest else partners.is_write(parts)
        fault = app.faults.decide()  # decided before anything executes: a faulted write changes nothing
        if app.latency_ms:
            time.sleep(app.latency_ms / 1000.0)
        if fault == "reset":
            return self._reset()
        if fault in ("down", "503"):
            return self._send(json_response(UNKNOWN_ERROR, 503))
        if fault == "429":
            resp = json_response(TOO_MANY_REQUESTS, 429)
            resp.headers["Retry-After"] = str(app.faults.retry_after)
            return self._send(resp)
        if fault == "timeout":
            time.sleep(app.faults.stall_seconds)
            if write:
                return self._send(json_response(GATEWAY_TIMEOUT, 504))
        if fault == "truncated" and write:
            return self._send(Response(503, dumps(UNKNOWN_ERROR)), truncate=True)
        resp = rest.handle(req, rel) if is_rest else partners.handle(req, parts)
        return self._send(resp, truncate=(fault == "truncated"))

    def _reset(self):
        """Abort the connection with a TCP RST and no response at all."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _send(self, resp: Response, truncate: bool = False):
        body = resp.body
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for name, value in resp.headers.items():
            self.send_header(name, value)
        if truncate:
            self.send_header("Connection", "close")
            self.close_connection = True
        if self.command == "HEAD":
            body = b""
        # headers and body in one write: no small-packet stalls on keep-alive connections
        self._headers_buffer.append(b"\r\n")
        body = body[: len(body) // 2] if truncate else body
        if len(body) < 65536:
            self._headers_buffer.append(body)
            self.wfile.write(b"".join(self._headers_buffer))
        else:  # a big answer (a seat map): one gathered send, without copying it behind the headers
            self._send_all([b"".join(self._headers_buffer), memoryview(body)])
        self._headers_buffer = []
        self.wfile.flush()

    def _send_all(self, buffers) -> None:
        sock = self.connection
        while buffers:
            sent = sock.sendmsg(buffers)
            while buffers and sent >= len(buffers[0]):
                sent -= len(buffers[0])
                buffers.pop(0)
            if buffers and sent:
                buffers[0] = memoryview(buffers[0])[sent:]


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def make_server(host: str, port: int, app: App) -> SandboxHTTPServer:
    handler = type("BoundHandler", (Handler,), {"app": app})
    return SandboxHTTPServer((host, port), handler)
