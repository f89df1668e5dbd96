"""Ad-hoc measurement (not a test): webhook deliveries per second to a fast local receiver while
/__sandbox/advance creates many orders at once.

    python -m qtickets_sandbox.bench_webhooks --orders 100000 --minutes 4320

The receiver is a stdlib ThreadingHTTPServer (HTTP/1.1 keep-alive) in this process. It answers 200 at once and
checks the HMAC of every 100th body. The figure is the deliveries (HTTP 200) divided by the time from the
advance call until nothing is pending. The advance's own duration is reported too: deliveries must not
slow it down.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from qtickets_sandbox.testing import SandboxServer

SECRET = "bench-secret"


def start_receiver():
    state = {"n": 0, "bad": 0}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                state["n"] += 1
                check = state["n"] % 100 == 0
            if check and self.headers["X-Signature"] != hmac.new(SECRET.encode(), raw, hashlib.sha1).hexdigest():
                state["bad"] += 1
            self.send_response_only(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--minutes", type=float, default=3 * 24 * 60)
    args = ap.parse_args()
    server, state = start_receiver()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    extra = ["--webhook-url", url, "--webhook-secret", SECRET]
    with SandboxServer(orders=args.orders, seed=42, start_timeout=3600, extra_args=extra) as sb:
        started = time.monotonic()
        summary = sb.advance(args.minutes)
        advanced = time.monotonic() - started
        queued = sb.webhooks()
        while True:
            status = sb.webhooks()
            if status["pending"] == 0:
                break
            time.sleep(0.02)
        seconds = time.monotonic() - started
        print(
            f"advance {args.minutes:g} min took {advanced:.2f}s: orders_created={summary['orders_created']} "
            f"paid={summary['orders_paid']} expired={summary['orders_expired']} scans={summary['scans']}; "
            f"delivered by then {queued['delivered']} of {queued['sent']}",
            flush=True,
        )
        print(
            f"deliveries={status['delivered']} failed={status['failed']} attempts={status['attempts']} in "
            f"{seconds:.2f}s -> {status['delivered'] / seconds:.0f} deliveries/s; receiver saw {state['n']}, "
            f"bad signatures {state['bad']}",
            flush=True,
        )
    server.shutdown()


if __name__ == "__main__":
    main()
