"""Run-failure sensor: make sure every failed run leaves a trace in meta_job_runs.

An asset that fails writes its own error row (qtickets/ingest/assets.py). A run can also fail before or outside any
asset (a step that could not start, a resource that could not initialise, ClickHouse down during the asset's own
bookkeeping); this sensor then records one row for the run, so `meta_job_runs` answers "what failed" alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from qtickets_assets.clickhouse.resource import ClickHouseResource
from qtickets_assets.clickhouse.run_log import RunRecord, write_run


def failure_summary(context: RunFailureSensorContext) -> str:
    """One line: the job, the failed steps and the first error message (already token-free: our errors)."""
    steps = sorted({event.step_key for event in context.get_step_failure_events() if event.step_key})
    message = context.failure_event.message or "run failed"
    first_line = message.strip().splitlines()[0] if message.strip() else "run failed"
    where = f" in {', '.join(steps)}" if steps else ""
    return f"run of {context.dagster_run.job_name} failed{where}: {first_line}"[:2000]


@run_failure_sensor(
    name="record_run_failures",
    default_status=DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=False,
    description="Records failed runs in meta_job_runs when the assets could not, and logs a one-line summary.",
)
def record_run_failures(context: RunFailureSensorContext, clickhouse: ClickHouseResource) -> None:
    run = context.dagster_run
    summary = failure_summary(context)
    context.log.error(summary)
    client = clickhouse.get_client()
    try:
        already = client.query(
            "SELECT count() FROM meta_job_runs WHERE run_id = {run_id:String} AND status = 'error'",
            parameters={"run_id": run.run_id},
        ).result_rows[0][0]
        if already:
            return
        stats = context.instance.get_run_stats(run.run_id)
        started = datetime.fromtimestamp(stats.start_time or stats.launch_time or 0, tz=UTC)
        write_run(
            client,
            RunRecord(
                job=run.job_name,
                asset="(run)",
                run_id=run.run_id,
                started_at=started,
                finished_at=datetime.now(UTC),
                status="error",
                message=summary,
            ),
        )
    finally:
        client.close()
