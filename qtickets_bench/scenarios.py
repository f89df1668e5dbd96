"""The measured scenarios. Each returns JSON-able dicts with every run and the medians.

Databases: every run writes into a database of its own on the one embedded ClickHouse (no run sees
another's rows); runs of the variants are interleaved repeat by repeat, so a noisy minute on this
shared 2-core machine hurts all variants alike rather than one.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from .runner import WorkerFailed, run_worker
from .stats import median_fields

VARIANTS = ("platform", "platform_default", "dlt_rest_api", "dlt_parallel", "limit")
FIGURES = (
    "seconds",
    "rows",
    "requests",
    "peak_rss_mb",
    "base_rss_mb",
    "children_peak_rss_mb",
    "step_seconds",
    "api_seconds",
    "insert_seconds",
    "fetch_seconds",
    "overlap_bound_seconds",
    "pages",
)
_ids = itertools.count(1)


@dataclass
class Settings:
    page_size: int = 500
    concurrency: int = 8
    platform_rps: float = 1000.0
    dlt_nesting: int | None = 0
    repeat: int = 3


def base_spec(sandbox, clickhouse, settings: Settings) -> dict:
    return {
        "rest_url": sandbox.rest_url,
        "token": sandbox.token,
        "partners_url": sandbox.partners_url,
        "partners_token": sandbox.partners_token,
        "ch": {"host": clickhouse.host, "http_port": clickhouse.http_port, "tcp_port": clickhouse.tcp_port},
        "page_size": settings.page_size,
        "concurrency": settings.concurrency,
        "rps": settings.platform_rps,
        "max_table_nesting": settings.dlt_nesting,
    }


def new_database(prefix: str) -> str:
    return f"bench_{prefix}_{next(_ids)}_{int(time.time())}"


def _summarise(runs: list[dict]) -> dict:
    ok = [r for r in runs if "error" not in r]
    return {"runs": runs, "failed": len(runs) - len(ok), "median": median_fields(ok, FIGURES)}


def full_loads(sandbox, clickhouse, settings: Settings, variants=VARIANTS, log=print) -> tuple[dict, str]:
    """Every variant `repeat` times (interleaved). Returns (per-variant summaries, the database of the
    last successful platform run: the incremental scenario continues from it)."""
    runs: dict[str, list] = {v: [] for v in variants}
    platform_db = None
    for rep in range(settings.repeat):
        for variant in variants:
            db = new_database(variant)
            spec = {
                **base_spec(sandbox, clickhouse, settings),
                "variant": variant,
                "database": db,
                "dataset": f"orders_{next(_ids)}",
                "mode": "full",
            }
            try:
                out = run_worker(spec, sandbox)
                if variant == "limit":
                    out["requests"] = out["pages"]  # its untimed second pass (rows for the insert) not counted
                if variant == "platform":
                    platform_db = db
                if variant == "limit":  # overlapping work is bounded by the larger part, not the sum
                    out["overlap_bound_seconds"] = max(out["fetch_seconds"], out["insert_seconds"])
            except WorkerFailed as exc:
                out = {"error": str(exc)[-2000:]}
            runs[variant].append(out)
            log(
                f"    {variant:<13} run {rep + 1}/{settings.repeat}: "
                + (
                    f"{out['seconds']:.2f} s, {out.get('rows')} rows, peak RSS {out.get('peak_rss_mb')} MB"
                    if "error" not in out
                    else "FAILED " + out["error"].splitlines()[0]
                )
            )
    return {v: _summarise(r) for v, r in runs.items()}, platform_db


def incremental(sandbox, clickhouse, settings: Settings, database: str, log=print) -> dict:
    """Incremental runs of the orders asset on a fully loaded table: `repeat` times with nothing new, then
    `repeat` times after /__sandbox/advance of 60 minutes each."""
    out = {}
    for label, advance in (("nothing_new", 0), ("after_advance_60_min", 60)):
        runs = []
        for rep in range(settings.repeat):
            if advance:
                sandbox.advance(advance)
            spec = {
                **base_spec(sandbox, clickhouse, settings),
                "variant": "platform",
                "database": database,
                "mode": "incremental",
            }
            try:
                r = run_worker(spec, sandbox)
            except WorkerFailed as exc:
                r = {"error": str(exc)[-2000:]}
            runs.append(r)
            log(
                f"    incremental {label} run {rep + 1}: "
                + (
                    f"step {r['step_seconds']:.2f} s, materialize {r['seconds']:.2f} s, {r['requests']} requests, "
                    f"{r['rows']} rows"
                    if "error" not in r
                    else "FAILED"
                )
            )
        out[label] = _summarise(runs)
    return out
