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
    """() -> a client bound to the platform database, from CLICKHOUSE_* (embedded defaults when unset), with the
    cluster settings too: on a sharded cluster the client inserts in the foreground (clickhouse/cluster.py), so a
    200 still means the row is on its shard. SettingError (naming the variable) when a setting cannot work."""
    from qtickets_assets.clickhouse.cluster import Topology
    from qtickets_assets.clickhouse.resource import ClickHouseResource
    from qtickets_assets.settings import SettingError, flag, setting

    topology = Topology.from_env()
    port = setting("CLICKHOUSE_PORT").strip()
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingError(f"CLICKHOUSE_PORT={port!r} is not a port number")
    resource = ClickHouseResource(
        cluster=topology.cluster,
        replicated=topology.replicated,
        sharded=topology.sharded,
        on_cluster=topology.on_cluster,
        host=setting("CLICKHOUSE_HOST"),
        port=int(port),
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
    from qtickets_assets.settings import SettingError

    try:
        connector = clickhouse_connector()  # settings checked before the socket opens: one line, exit 2
    except SettingError as exc:
        print(f"qtickets-platform webhooks: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from qtickets_assets.webhooks.receiver import build_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    app = build_app(
        secret,
        connector,
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


def _int_between(low: int, high: int):
    """An argparse type: a whole number in [low, high], else argparse's own one-line error (no traceback)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    return parse


def _positive_ms(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 10000 ms")
    return value


def add_subcommand(sub: argparse._SubParsersAction) -> None:
    from qtickets_assets.webhooks.receiver import BATCH_MS, BATCH_ROWS, MAX_BODY_BYTES

    p = sub.add_parser(
        "webhooks",
        help=f"serve the QTickets webhook receiver (POST /webhooks/qtickets, GET /healthz; secret from {SECRET_ENV})",
    )
    p.add_argument("--host", default="127.0.0.1", help="put it behind a TLS reverse proxy (docs/webhooks.md)")
    p.add_argument("--port", type=_int_between(0, 65535), default=8090, help="0: any free port")
    p.add_argument(
        "--max-body-bytes", type=_int_between(1, 1 << 30), default=MAX_BODY_BYTES, help="larger bodies get 413"
    )
    p.add_argument("--batch-ms", type=_positive_ms, default=BATCH_MS, help="group-commit window (ms)")
    p.add_argument(
        "--batch-rows",
        type=_int_between(1, 1_000_000),
        default=BATCH_ROWS,
        help="at most this many deliveries per INSERT",
    )
    p.set_defaults(func=serve)
