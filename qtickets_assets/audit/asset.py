"""The `qtickets_audit` asset: runs the audit plan against the configured API, counts ClickHouse, and shows the
verdict, case totals, counts, the archive and its SHA-256, and the report in the Dagster UI.

It depends on the staging assets and the facts so that it runs after them in a full materialization, and
its counts reflect what they loaded. A wrong token or an unreachable ClickHouse gives a FAILED verdict in the
report and metadata, not a crash: the report is the deliverable.

Writes: the plan's write cases (cancel and refund tickets, scan barcodes, partner tickets, create events, promo
codes and clients) run only when explicitly requested AND the target identifies itself as the qtickets sandbox
(verdict.writes_decision). By default, as in the daily schedule, they are reported "not executed: writes disabled".
"""

from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from qtickets_assets.audit.run import DEFAULT_OUTPUT_ROOT, run_audit
from qtickets_assets.audit.verdict import NON_SANDBOX_OVERRIDE
from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.clickhouse.run_log import RunRecord, clickhouse_unreachable, write_run
from qtickets_assets.qtickets.client.resource import QTicketsResource
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.settings import flag
from qtickets_assets.settings import timezone as platform_timezone

FACTS = ("fact_qtickets_sales_daily", "fact_qtickets_inventory_latest")
AUDIT_DEPS = [dg.AssetKey(entry.table) for entry in CATALOG.values()] + [dg.AssetKey(f) for f in FACTS]


class AuditConfig(dg.Config):
    allow_writes: bool | None = Field(
        default=None,
        description="Run the write cases (they cancel and refund tickets, scan barcodes, create "
        "events): true or false; empty = QTICKETS_ALLOW_WRITES (default false). Even when true they run only "
        "against a target that identifies itself as the qtickets sandbox, unless "
        f"{NON_SANDBOX_OVERRIDE}=yes. Production (qtickets.ru) never gets writes.",
    )
    output_root: str = Field(default=DEFAULT_OUTPUT_ROOT, description="folder that receives <timestamp>/ folders")


@dg.asset(
    name="qtickets_audit",
    group_name="audit",
    kinds={"qtickets", "clickhouse"},
    owners=["team:data-platform"],
    deps=AUDIT_DEPS,
    description="Probes the QTickets API with the audit plan (51 cases + additions), counts every staging table, "
    "mart and meta_job_runs, and writes report.md, log.jsonl, clickhouse_counts.csv, masked responses "
    "and a zip with its SHA-256 file.",
)
def qtickets_audit(
    context: dg.AssetExecutionContext, config: AuditConfig, qtickets: QTicketsResource, clickhouse: ClickHouseResource
) -> dg.MaterializeResult:
    started = datetime.now(UTC)
    client = qtickets.get_client()
    ch_client, ch_error = None, None
    try:
        ch_client = clickhouse.get_client()
    except ValueError as exc:  # an invalid CLICKHOUSE_DATABASE (validate_identifier): not a network problem
        ch_error = f"{exc} (setting CLICKHOUSE_DATABASE)"
    except Exception as exc:  # noqa: BLE001 - the audit still probes the API and reports the counts as missing
        ch_error = clickhouse_unreachable(clickhouse, exc)
    try:
        outcome = run_audit(
            client,
            rest_token=qtickets.token,
            partners_token=qtickets.partners_token,
            ch_client=ch_client,
            database=clickhouse.database,
            output_root=config.output_root,
            allow_writes=qtickets.allow_writes if config.allow_writes is None else config.allow_writes,
            writes_override=flag(NON_SANDBOX_OVERRIDE),
            tz=platform_timezone(),
            ch_unavailable=ch_error,
        )
    finally:
        client.close()
    totals = outcome.totals
    if ch_client is not None:
        record = RunRecord(
            job=context.job_name or "",
            asset="qtickets_audit",
            run_id=context.run.run_id,
            started_at=started,
            finished_at=datetime.now(UTC),
            status="ok" if outcome.verdict.status != "FAILED" else "error",
            requests=sum(1 for r in outcome.results if r.status is not None),
            retries=sum(r.retries for r in outcome.results),
            message=outcome.verdict.text[:500],
            metrics={"totals": totals, "archive": outcome.zip_path.name, "sha256": outcome.sha256},
        )
        try:
            write_run(ch_client, record)
        except Exception as exc:  # noqa: BLE001
            context.log.warning(f"could not write meta_job_runs: {type(exc).__name__}")
        ch_client.close()
    context.log.info(outcome.verdict.text)
    counts_md = (
        "\n".join(
            ["| table | before | after | delta | distinct keys |", "|---|---|---|---|---|"]
            + [
                f"| {c.table} | {c.rows_before} | {c.rows_after} | {c.delta:+d} | "
                f"{'' if c.distinct_keys is None else c.distinct_keys} |"
                for c in outcome.counts
            ]
        )
        if outcome.counts
        else (outcome.counts_error or "no table")
    )
    return dg.MaterializeResult(
        metadata={
            "verdict": outcome.verdict.text,
            "verdict_status": outcome.verdict.status,
            "cases_passed": totals["passed"],
            "cases_expected_error": totals["expected error"],
            "cases_failed": totals["failed"],
            "cases_not_executed": totals["not executed"],
            "counts": dg.MetadataValue.md(counts_md),
            "archive": dg.MetadataValue.path(str(outcome.zip_path.resolve())),
            "archive_sha256": outcome.sha256,
            "report": dg.MetadataValue.md(outcome.report_md),
        }
    )
