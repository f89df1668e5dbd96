"""`qtickets-platform`: the embedded default's commands (ClickHouse server, demo, dev, deploy-local)."""

from __future__ import annotations

import argparse
import os
import sys


def _clickhouse(args: argparse.Namespace) -> int:
    from qtickets_assets.local.clickhouse_engine import serve_forever

    code = serve_forever(args.path, args.http_port, args.tcp_port, args.cluster_config)
    sys.stdout.flush()
    sys.stderr.flush()
    # The engine thread has finished (or is wedged); skip interpreter teardown, which aborts under chdb.
    os._exit(code)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qtickets-platform", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    ch = sub.add_parser("clickhouse", help="serve a real ClickHouse (chdb-core) on 127.0.0.1 until stopped")
    ch.add_argument("--path", required=True, help="persistent data directory")
    ch.add_argument("--http-port", type=int, default=8123)
    ch.add_argument("--tcp-port", type=int, default=9000, help="native protocol port; 0 leaves it off")
    ch.add_argument(
        "--cluster-config",
        metavar="FILE",
        help="XML with a <clickhouse> root whose children (<remote_servers>, <macros>) are merged into the server's "
        "config: a sharded cluster of embedded servers (docs/clickhouse_cluster.md)",
    )
    ch.set_defaults(func=_clickhouse)

    from qtickets_assets.local import commands

    commands.add_subcommands(sub)
    from qtickets_assets.local import production

    production.add_subcommand(sub)
    from qtickets_assets.webhooks import cli as webhooks_cli

    webhooks_cli.add_subcommand(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:  # the benchmark parses its own options (`qtickets-platform bench --help`)
        from qtickets_bench.__main__ import main as bench_main

        return bench_main(argv[1:])
    args = build_parser().parse_args(argv)
    from qtickets_assets.clickhouse.resource import ClickHouseUnavailable
    from qtickets_assets.settings import SettingError

    try:
        return args.func(args)
    except (SettingError, ClickHouseUnavailable) as exc:  # a setting that cannot work: one line, no traceback
        print(f"qtickets-platform {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
