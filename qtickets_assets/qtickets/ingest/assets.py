"""One staging asset per catalog resource, built by a factory.

Asset key = the staging table name (a single component, e.g. `stg_qtickets_api_orders_raw`) so dbt
sources can point at it. Every materialization writes one meta_job_runs row — also when it fails: the
error row first, then a dagster.Failure with one clear, token-free message.
"""


import traceback
from typing import Optional
from datetime import datetime, timezone

import dagster as dg
from pydantic import Field

from qtickets_assets.clickhouse.resource import ClickHouseResource, validate_identifier
from qtickets_assets.clickhouse.run_log import RunRecord, clickhouse_unreachable, write_run
from qtickets_assets.privacy import redact_secrets

from qtickets_assets.qtickets.client.errors import ApiUnavailable, BadPayload, QTicketsError
from qtickets_assets.qtickets.client.resource import QTicketsResource

from .catalog import CATALOG, CatalogEntry
from .load import Load, dedup_row_count, plan_window, read_high_water
from .writer import ClickHouseWriteError


class LoadConfig(dg.Config):
    """Run config of a staging asset (range applies to orders only: created_at)."""
    mode: str = Field(default="incremental", description="incremental | full | range")
    lookback_minutes: int = Field(default=120, description="incremental: re-read this far behind the "
                                  "high-water mark of the staging table")
    created_from: Optional[str] = Field(default=None, description="range: first created_at date, YYYY-MM-DD")
    created_to: Optional[str] = Field(default=None, description="range: last created_at date (inclusive)")


def _open_clickhouse(clickhouse: ClickHouseResource, entry: CatalogEntry):
    """A client with the staging tables in place (bootstrap is idempotent; run only when something is
    missing: a fresh server has no database yet, so the first get_client() may fail for that reason)."""
    try:
        validate_identifier(clickhouse.database, "database")
    except ValueError as exc:
        # A setting that can never work: say which one, instead of blaming the network below.
        raise dg.Failure(description=f"{exc} (setting CLICKHOUSE_DATABASE)", allow_retries=False) from None
    try:
        try:
            ch = clickhouse.get_client()
            ready = all(int(ch.command(f"EXISTS TABLE {t}")) for t in (entry.table, "meta_job_runs"))
        except Exception:  # noqa: BLE001 - retried below after bootstrap; a real outage fails there
            ch, ready = None, False
        if not ready:
            clickhouse.bootstrap()
            ch = ch or clickhouse.get_client()
        return ch
    except Exception as exc:  # noqa: BLE001 - the message names the settings; the raw error may hold a password
        # Not retried by the step's retry policy: nothing was loaded, and the operator has to look at the
        # settings or the server; the next scheduled run tries again.
        raise dg.Failure(description=clickhouse_unreachable(clickhouse, exc), allow_retries=False) from None


def materialize_entry(context: dg.AssetExecutionContext, entry: CatalogEntry, config: LoadConfig,
                      qtickets: QTicketsResource, clickhouse: ClickHouseResource) -> dg.MaterializeResult:
    started = datetime.now(timezone.utc)
    ch = _open_clickhouse(clickhouse, entry)
    client = qtickets.get_client()
    secrets = (qtickets.token, qtickets.partners_token, getattr(clickhouse, "password", None))
    load = Load(entry, client, ch, context.run.run_id)
    error, transient = None, False
    try:
        window = plan_window(config.mode, entry.cursor_column, entry.range_column, read_high_water(ch, entry),
                             config.lookback_minutes, config.created_from, config.created_to)
        context.log.info(f"{entry.table}: {window.note or window.mode}")
        load.run(window)
    except QTicketsError as exc:
        error, transient = str(exc), isinstance(exc, (ApiUnavailable, BadPayload))
    except ClickHouseWriteError as exc:
        error, transient = f"{exc}; {clickhouse_unreachable(clickhouse)}", True
    except ValueError as exc:
        error = f"invalid run config for {entry.table}: {redact_secrets(str(exc), secrets)}"
    except Exception as exc:  # noqa: BLE001 - a bug: keep the (scrubbed) trace in the log, one line in the row
        context.log.error(redact_secrets(traceback.format_exc(), secrets))
        error = redact_secrets(f"unexpected {type(exc).__name__} loading {entry.table}: {exc}", secrets)
    finally:
        client.close()

    metrics = load.metrics()
    window = load.window
    record = RunRecord(
        job=context.run.job_name, asset=entry.table, run_id=context.run.run_id, started_at=started,
        finished_at=datetime.now(timezone.utc), status="error" if error else "ok",
        rows=load.writer.rows_inserted, pages=metrics["pages"], requests=metrics["requests"],
        retries=metrics["retries"], cursor_from=window.cursor_from if window else None,
        cursor_to=load.cursor_to, message=error or (window.note if window else ""), metrics=metrics)
    try:
        write_run(ch, record)
    except Exception as exc:  # noqa: BLE001
        if error and "ClickHouse is not reachable" in error:
            note = "could not write meta_job_runs"        # the reason is already in `error`: not twice
        else:
            note = f"could not write meta_job_runs: {clickhouse_unreachable(clickhouse, exc)}"
        error = f"{error} (also {note})" if error else note
    if error:
        # Only an outage is worth the run's retry policy: a wrong token or a wrong URL stays wrong.
        raise dg.Failure(description=error, allow_retries=transient,
                         metadata={"rows_inserted": load.writer.rows_inserted,
                                   "requests": metrics["requests"]}) from None

    database = getattr(clickhouse, "database", "qtickets")
    metadata = {
        "dagster/row_count": dedup_row_count(ch, entry),   # rows in the table after dedup (latest _version)
        "dagster/table_name": f"{database}.{entry.table}",
        "rows_inserted": load.writer.rows_inserted,
        "pages": metrics["pages"], "requests": metrics["requests"], "retries": metrics["retries"],
        "retries_by_reason": dg.MetadataValue.json(metrics["retries_by_reason"]),
        "api_seconds": metrics["api_seconds"], "insert_seconds": metrics["insert_seconds"],
        "seconds": metrics["seconds"], "filtered_out": metrics["filtered_out"],
        "mode": window.mode, "window": window.note,
        "cursor_from": window.cursor_from.isoformat() if window.cursor_from else "none",
        "cursor_to": load.cursor_to.isoformat() if load.cursor_to else "none",
    }
    if entry.snapshot:
        metadata["snapshot_ts"] = load.snapshot_ts.isoformat()
    if metrics["skipped"]:
        metadata["skipped"] = dg.MetadataValue.json(metrics["skipped"])
    return dg.MaterializeResult(metadata=metadata)


# A whole-step retry after the client's own per-request retries ran out: the API or ClickHouse was down for
# longer than a request's backoff budget. Loads are idempotent, so a retry never doubles data.
INGESTION_RETRY_POLICY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL,
                                        jitter=dg.Jitter.PLUS_MINUS)
# Every ingestion step takes a slot of this pool, so overlapping runs cannot exceed the API budget together
# (limit set in $DAGSTER_HOME/dagster.yaml, see qtickets_assets/local/stack.py).
API_POOL = "qtickets_api"


def build_staging_asset(entry: CatalogEntry) -> dg.AssetsDefinition:
    @dg.asset(name=entry.table, group_name="ingestion", kinds={"qtickets", "clickhouse"},
              description=entry.description, owners=["team:data-platform"],
              retry_policy=INGESTION_RETRY_POLICY, pool=API_POOL,
              metadata={"business_key": ", ".join(entry.business_key), "endpoint": entry.endpoint,
                        "api": entry.api, "cursor": entry.cursor_column or "none (full load)"})
    def _staging_asset(context: dg.AssetExecutionContext, config: LoadConfig, qtickets: QTicketsResource,
                       clickhouse: ClickHouseResource) -> dg.MaterializeResult:
        return materialize_entry(context, entry, config, qtickets, clickhouse)

    return _staging_asset


STAGING_ASSETS: list[dg.AssetsDefinition] = [build_staging_asset(e) for e in CATALOG.values()]
STAGING_ASSET_KEYS = {name: dg.AssetKey(e.table) for name, e in CATALOG.items()}
