"""The staging assets: one asset per catalog resource, all loaded by ONE step (`qtickets_staging`) that runs the
selected resources' loads at the same time.

Why one step: the loads share one API budget per API (client/budget.py, per process), and most of a load's time
is waiting for that budget or for the API. Separate steps run one after another in the in-process executor; the
multiprocess executor would overlap them, but each step process pays seconds of start-up on a small machine and has its own
budget, so N steps would ask N times the budget of the API. Here every selected resource loads on its own thread,
all drawing from the same budget: the run takes about as long as the API allows, not the sum of the loads
(figures in bench/README.md). The asset is subsettable: a job or a UI selection loads only what it selects.

Asset key = the staging table name (e.g. `stg_qtickets_api_orders_raw`), so dbt sources point at it. Every load
writes one meta_job_runs row, also when it fails. An outage (API or ClickHouse unreachable after the client's own
retries) is retried inside the step for that resource only; a wrong token or URL is not. When a resource still
fails, the others' materializations stand and the step fails with one token-free line per failed resource.

No `from __future__ import annotations` here: Dagster reads the config annotation at decoration time.
"""

import time
import traceback
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from qtickets_assets.clickhouse.resource import ClickHouseResource, ClusterUnknown, validate_identifier
from qtickets_assets.clickhouse.run_log import RunRecord, clickhouse_unreachable, write_run
from qtickets_assets.privacy import redact_secrets
from qtickets_assets.qtickets.client.errors import ApiUnavailable, BadPayload, QTicketsError
from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.settings import timezone

from .catalog import CATALOG, CatalogEntry
from .fetch import SharedLookups
from .load import Load, dedup_row_count, plan_window, read_high_water
from .writer import ClickHouseWriteError

STEP_NAME = "qtickets_staging"
SALES_MONTHS_KEY = "sales_months"
# The pool every ingestion step takes a slot of, so overlapping runs take turns on the API (the per-process budget
# cannot see other runs). Its limit lives in the instance (deploy/dagster.yaml, qtickets_assets/local/stack.py).
API_POOL = "qtickets_api"


class LoadConfig(dg.Config):
    """Run config of the staging step (applies to every selected resource; range: orders only, by created_at)."""

    mode: str = Field(default="incremental", description="incremental | full | range")
    lookback_minutes: int = Field(
        default=120, description="incremental: re-read this far behind the high-water mark of the staging table"
    )
    created_from: str | None = Field(default=None, description="range: first created_at date, YYYY-MM-DD")
    created_to: str | None = Field(default=None, description="range: last created_at date (inclusive)")
    outage_retries: int = Field(
        default=2,
        description="retries of a resource whose load failed because the API "
        "or ClickHouse stayed unreachable (never for a wrong token or URL)",
    )
    outage_retry_seconds: float = Field(
        default=30.0, description="wait before the first outage retry; doubles each time"
    )


class LoadFailed(Exception):
    def __init__(self, message: str, transient: bool):
        super().__init__(message)
        self.transient = transient


@dataclass
class Outcome:
    entry: CatalogEntry
    result: dg.MaterializeResult | None = None
    error: str | None = None


def _open_clickhouse(clickhouse: ClickHouseResource, entry: CatalogEntry):
    """A client with the staging tables in place (bootstrap is idempotent; run only when something is
    missing: a fresh server has no database yet, so the first get_client() may fail for that reason)."""
    try:
        validate_identifier(clickhouse.database, "database")
    except ValueError as exc:
        # A setting that can never work: say which one, instead of blaming the network below.
        raise LoadFailed(f"{exc} (setting CLICKHOUSE_DATABASE)", transient=False) from None
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
    except ClusterUnknown as exc:  # one line naming CLICKHOUSE_CLUSTER, before anything is written
        raise LoadFailed(str(exc), transient=False) from None
    except Exception as exc:  # noqa: BLE001 - the message names the settings; the raw error may hold a password
        # Not retried: nothing was loaded, and the operator has to look at the settings or the server; the next
        # scheduled run tries again.
        raise LoadFailed(clickhouse_unreachable(clickhouse, exc), transient=False) from None


def load_entry(
    context: dg.AssetExecutionContext,
    entry: CatalogEntry,
    config: LoadConfig,
    qtickets: QTicketsResource,
    clickhouse: ClickHouseResource,
    lookups: SharedLookups | None = None,
) -> dg.MaterializeResult:
    """Load one resource into its staging table and record it in meta_job_runs. Raises LoadFailed (one clear,
    token-free line) after writing the error row."""
    started = datetime.now(UTC)
    ch = _open_clickhouse(clickhouse, entry)
    client = qtickets.get_client()
    secrets = (qtickets.token, qtickets.partners_token, getattr(clickhouse, "password", None))
    load = Load(entry, client, ch, context.run.run_id, lookups=lookups)
    error, transient = None, False
    try:
        window = plan_window(
            config.mode,
            entry.cursor_column,
            entry.range_column,
            read_high_water(ch, entry),
            config.lookback_minutes,
            config.created_from,
            config.created_to,
        )
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
        job=context.run.job_name,
        asset=entry.table,
        run_id=context.run.run_id,
        started_at=started,
        finished_at=datetime.now(UTC),
        status="error" if error else "ok",
        rows=load.writer.rows_inserted,
        pages=metrics["pages"],
        requests=metrics["requests"],
        retries=metrics["retries"],
        cursor_from=window.cursor_from if window else None,
        cursor_to=load.cursor_to,
        message=error or (window.note if window else ""),
        metrics=metrics,
    )
    try:
        write_run(ch, record)
    except Exception as exc:  # noqa: BLE001
        if error and "ClickHouse is not reachable" in error:
            note = "could not write meta_job_runs"  # the reason is already in `error`: not twice
        else:
            note = f"could not write meta_job_runs: {clickhouse_unreachable(clickhouse, exc)}"
        error = f"{error} (also {note})" if error else note
    if error:
        raise LoadFailed(error, transient)

    database = getattr(clickhouse, "database", "qtickets")
    metadata = {
        "dagster/row_count": dedup_row_count(ch, entry),  # rows in the table after dedup (latest _version)
        "dagster/table_name": f"{database}.{entry.table}",
        "rows_inserted": load.writer.rows_inserted,
        "pages": metrics["pages"],
        "requests": metrics["requests"],
        "retries": metrics["retries"],
        "retries_by_reason": dg.MetadataValue.json(metrics["retries_by_reason"]),
        "api_seconds": metrics["api_seconds"],
        "insert_seconds": metrics["insert_seconds"],
        "seconds": metrics["seconds"],
        "filtered_out": metrics["filtered_out"],
        "mode": window.mode,
        "window": window.note,
        "cursor_from": window.cursor_from.isoformat() if window.cursor_from else "none",
        "cursor_to": load.cursor_to.isoformat() if load.cursor_to else "none",
    }
    if entry.snapshot:
        metadata["snapshot_ts"] = load.snapshot_ts.isoformat()
    if entry.sales_months_sql:
        # The sales-fact partitions this load changed; qtickets_sales_months_sensor rebuilds exactly these.
        metadata[SALES_MONTHS_KEY] = dg.MetadataValue.json(touched_sales_months(ch, entry, context.run.run_id))
    if metrics["skipped"]:
        metadata["skipped"] = dg.MetadataValue.json(metrics["skipped"])
    return dg.MaterializeResult(asset_key=entry.table, metadata=metadata)


def touched_sales_months(ch, entry: CatalogEntry, run_id: str) -> list[str]:
    """The months ('YYYY-MM-01', platform time zone) of the sales facts that this run's rows of `entry` change."""
    rows = ch.query(entry.sales_months_sql, parameters={"run_id": run_id, "tz": timezone()}).result_rows
    return [row[0] for row in rows]


def _load_with_outage_retries(context, entry, config, qtickets, clickhouse, lookups) -> Outcome:
    delay = config.outage_retry_seconds
    for attempt in range(max(0, config.outage_retries) + 1):
        try:
            return Outcome(entry, result=load_entry(context, entry, config, qtickets, clickhouse, lookups))
        except LoadFailed as failed:
            if not failed.transient or attempt >= config.outage_retries:
                return Outcome(entry, error=str(failed))
            context.log.warning(
                f"{entry.table}: {failed} - retrying in {delay:.0f} s ({attempt + 1} of {config.outage_retries})"
            )
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def load_concurrently(
    context: dg.AssetExecutionContext,
    entries: list[CatalogEntry],
    config: LoadConfig,
    qtickets: QTicketsResource,
    clickhouse: ClickHouseResource,
) -> Iterator[dg.MaterializeResult]:
    """Each entry on its own thread; materializations are yielded as loads finish. Raises dg.Failure at the end
    when a load failed, naming every failed resource."""
    lookups = SharedLookups()  # the events list the fan-out resources all start from: fetched once
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=max(1, len(entries)), thread_name_prefix="staging") as pool:
        pending = {
            pool.submit(_load_with_outage_retries, context, entry, config, qtickets, clickhouse, lookups)
            for entry in entries
        }
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()
                if outcome.result is not None:
                    yield outcome.result
                else:
                    failures.append(f"{outcome.entry.table}: {outcome.error}")
    if failures:
        # Not retried by Dagster: outages were retried above, and any other failure stays until someone acts.
        raise dg.Failure(description="\n".join(sorted(failures)), allow_retries=False)


def staging_spec(entry: CatalogEntry) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=entry.table,
        group_name="ingestion",
        kinds={"qtickets", "clickhouse"},
        description=entry.description,
        owners=["team:data-platform"],
        skippable=False,
        metadata={
            "business_key": ", ".join(entry.business_key),
            "endpoint": entry.endpoint,
            "api": entry.api,
            "cursor": entry.cursor_column or "none (full load)",
            "refreshed_by": f"{entry.refresh}_job",
        },
    )


def build_staging_assets(
    entries=None, name: str = STEP_NAME, config_class: type = LoadConfig, pool: str | None = API_POOL
) -> dg.AssetsDefinition:
    """The staging step over `entries` (every catalog resource by default). `config_class`: LoadConfig or a subclass
    with other defaults (tests that fail loads on purpose use one without outage retries)."""
    entries = list(entries if entries is not None else CATALOG.values())

    @dg.multi_asset(
        name=name,
        specs=[staging_spec(e) for e in entries],
        can_subset=True,
        pool=pool,
        description="Loads the selected QTickets resources into their staging tables, concurrently "
        "within one API budget.",
    )
    def _staging(
        context: dg.AssetExecutionContext,
        config: config_class,
        qtickets: QTicketsResource,
        clickhouse: ClickHouseResource,
    ) -> Iterator[dg.MaterializeResult]:
        selected = [e for e in entries if dg.AssetKey(e.table) in context.selected_asset_keys]
        yield from load_concurrently(context, selected, config, qtickets, clickhouse)

    return _staging


qtickets_staging = build_staging_assets()
STAGING_ASSETS: list[dg.AssetsDefinition] = [qtickets_staging]
STAGING_ASSET_KEYS = {name: dg.AssetKey(e.table) for name, e in CATALOG.items()}
