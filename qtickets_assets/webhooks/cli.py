"""`qtickets-platform webhooks`: serve the QTickets webhook receiver (receiver.py) with uvicorn.

The secret comes from QTICKETS_WEBHOOK_SECRET only (never an option: command lines are visible in `ps`), and
ClickHouse from the usual CLICKHOUSE_* settings. Prints one ready line, `qtickets-platform webhooks listening on
http://HOST:PORT`, once the socket is bound (with --port 0, the line names the port chosen).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys

SECRET_ENV = "QTICKETS_WEBHOOK_SECRET"


def clickhouse_connector(connect_timeout: int = 3, send_receive_timeout: int = 30):
    """() -> a client bound to the platform database, from CLICKHOUSE_* (embedded defaults when unset)."""
    from qtickets_assets.clickhouse.resource import ClickHouseResource
    from qtickets_assets.settings import flag, setting

    resource = ClickHouseResource(
        host=setting("CLICKHOUSE_HOST"),
        port=int(setting("CLICKHOUSE_PORT")),
        user=setting("CLICKHOUSE_USER"),
        password=os.environ.get("CLICKHOUSE_PASSWORD", ""),
        database=setting("CLICKHOUSE_DATABASE"),
        secure=flag("CLICKHOUSE_SECURE"),
        connect_timeout=connect_timeout,
        send_receive_timeout=send_receive_timeout,
    )
    return resource.get_client


def serve(args: argparse.Namespace) -> int:
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        print(
            f"qtickets-platform webhooks: {SECRET_ENV} is not set; set it to the secret configured for the webhook "
            "in the QTickets organiser cabinet",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    from qtickets_assets.webhooks.receiver import build_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    app = build_app(
        secret,
        clickhouse_connector(),
        max_body_bytes=args.max_body_bytes,
        batch_ms=args.batch_ms,
        batch_rows=args.batch_rows,
    )
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"qtickets-platform webhooks: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(
        app,
        access_log=False,  # an access line would carry nothing useful and, behind some proxies, query strings
        log_level="warning",
        server_header=False,
        lifespan="on",
        backlog=2048,
    )
    server = uvicorn.Server(config)
    print(f"qtickets-platform webhooks listening on http://{host}:{port}/webhooks/qtickets", flush=True)
    server.run(sockets=[sock])
    return 0


def add_subcommand(sub: argparse._SubParsersAction) -> None:
    from qtickets_assets.webhooks.receiver import BATCH_MS, BATCH_ROWS, MAX_BODY_BYTES

    p = sub.add_parser(
        "webhooks",
        help=f"serve the QTickets webhook receiver (POST /webhooks/qtickets, GET /healthz; secret from {SECRET_ENV})",
    )
    p.add_argument("--host", default="127.0.0.1", help="put it behind a TLS reverse proxy (docs/webhooks.md)")
    p.add_argument("--port", type=int, default=8090)
    p.add_argument("--max-body-bytes", type=int, default=MAX_BODY_BYTES, help="larger bodies get 413")
    p.add_argument("--batch-ms", type=float, default=BATCH_MS, help="group-commit window (ms)")
    p.add_argument("--batch-rows", type=int, default=BATCH_ROWS, help="at most this many deliveries per INSERT")
    p.set_defaults(func=serve)
