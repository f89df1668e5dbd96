"""`qtickets-sandbox serve …` / `python -m qtickets_sandbox serve …`."""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
import time

from qtickets_sandbox.clock import resolve_anchor
from qtickets_sandbox.fanout import DEFAULT_BUDGET_MB, FanoutCache
from qtickets_sandbox.faults import KINDS, FaultInjector
from qtickets_sandbox.webhooks import EVENTS, WebhookDispatcher

SECRET_ENV = "QTICKETS_SANDBOX_WEBHOOK_SECRET"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qtickets-sandbox", description="Local QTickets REST v1 + Partners API")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="generate the data and serve the APIs")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8765, help="0 picks a free port (printed in the ready line)")
    s.add_argument("--seed", type=int, default=42)
    s.add_argument("--orders", type=int, default=5000)
    s.add_argument("--latency-ms", type=int, default=0)
    s.add_argument("--fault-rate", type=float, default=0.0)
    s.add_argument("--faults", default=",".join(KINDS), help="comma list of " + ",".join(KINDS))
    s.add_argument("--stall-seconds", type=float, default=10.0)
    s.add_argument("--token", default="sandbox-token")
    s.add_argument("--partners-token", default="sandbox-partner-key")
    s.add_argument("--anchor", default=None, help="ISO date-time of the sandbox clock start, or 'now'")
    s.add_argument(
        "--fanout-cache-mb",
        type=float,
        default=DEFAULT_BUDGET_MB,
        help="budget of the per-show cache of seats/barcodes/tickets-find answers (0: no cache)",
    )
    s.add_argument("--webhook-url", default=None, help="POST order changes there (none sent without it)")
    s.add_argument(
        "--webhook-secret",
        default=None,
        help=f"key of the X-Signature HMAC (or the environment variable {SECRET_ENV}); never printed",
    )
    s.add_argument("--webhook-events", default=",".join(EVENTS), help="comma list of " + ",".join(EVENTS))
    s.add_argument(
        "--webhook-retry-scale",
        type=float,
        default=1.0,
        help="multiplies the n³-second retry delays (e.g. 0.001 in tests)",
    )
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        anchor = resolve_anchor(args.anchor)
        faults = FaultInjector(args.seed, args.fault_rate, args.faults.split(","), args.stall_seconds)
        hooks = WebhookDispatcher(
            url=args.webhook_url,
            secret=args.webhook_secret or os.environ.get(SECRET_ENV),
            events=args.webhook_events,
            retry_scale=args.webhook_retry_scale,
        )
    except ValueError as err:  # WebhookConfigError is one; its messages never quote the secret
        print(f"qtickets-sandbox: {err}", file=sys.stderr)
        return 2
    if args.orders < 0:
        print("qtickets-sandbox: --orders must be >= 0", file=sys.stderr)
        return 2
    if args.fanout_cache_mb < 0:
        print("qtickets-sandbox: --fanout-cache-mb must be >= 0", file=sys.stderr)
        return 2
    from qtickets_sandbox.generate import build_store
    from qtickets_sandbox.server import App, make_server

    app = App(None, faults, args.token, args.partners_token, args.latency_ms)
    try:
        server = make_server(args.host, args.port, app)  # bind first: a busy port fails fast
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            print(f"qtickets-sandbox: port {args.port} on {args.host} is already in use", file=sys.stderr)
        else:
            print(f"qtickets-sandbox: cannot listen on {args.host}:{args.port}: {err.strerror}", file=sys.stderr)
        return 2
    store = build_store(args.seed, anchor, args.orders)
    store.fanout_cache = FanoutCache(int(args.fanout_cache_mb * 2**20))
    store.webhooks = hooks  # attached after generation: generated history sends nothing
    app.store = store
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    print(
        f"qtickets-sandbox listening on http://{host}:{port} (orders={len(app.store.orders)} seed={args.seed})",
        flush=True,
    )
    while not stop.is_set():
        stop.wait(0.5)
    server.shutdown()
    server.server_close()
    hooks.stop()  # pending retries are dropped; the sender threads are daemons, so this never hangs
    time.sleep(0)
    return 0
