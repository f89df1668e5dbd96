"""Sub-commands of `qtickets-platform` beyond the ClickHouse server: demo and dev (filled in as the platform grows)."""
from __future__ import annotations

import argparse


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    pass
