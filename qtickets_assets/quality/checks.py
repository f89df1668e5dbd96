"""Blocking pandera asset checks, one per staging asset `stg_qtickets_api_<resource>_raw`.

Each check validates what the materialization loaded: the rows of the current run when the asset was loaded in
this run, otherwise the rows of the newest load of the table (`argMax(_run_id, _version)`). A failure has
severity ERROR and the check is blocking, so dbt models downstream do not build in the same run; the raw rows
stay in staging (nothing is ever deleted) and the next good load passes again.
"""


from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetChecksDefinition,
    AssetKey,
    MetadataValue,
    asset_check,
)

from qtickets_assets.quality.registry import RESOURCES, staging_asset_name
from qtickets_assets.quality.spec import ResourceQuality
from qtickets_assets.quality.validate import ValidationOutcome, validate_rows

CHECK_NAME = "pandera_contract"
# A guard, not a sample: one load of the biggest resource (orders) stays well below it. Above it the check
# validates the newest rows only and says so in its metadata.
MAX_ROWS = 1_000_000


def choose_run_id(client: Any, table: str, current_run_id: str | None) -> tuple[str | None, str]:
    """(run id whose rows are validated, why). The current run wins when it loaded rows into the table: a
    parallel load of another run must not be mistaken for ours."""
    if current_run_id:
        n = client.query(f"SELECT count() FROM {table} WHERE _run_id = %(r)s", parameters={"r": current_run_id})
        if n.result_rows[0][0] > 0:
            return current_run_id, "current run"
    latest = client.query(f"SELECT argMax(_run_id, _version), count() FROM {table}")
    run_id, total = latest.result_rows[0]
    if not total:
        return None, "table is empty"
    return run_id, "newest load of the table (argMax(_run_id, _version))"


def load_rows(client: Any, rq: ResourceQuality, run_id: str) -> list[dict]:
    columns = ", ".join((*rq.key_columns, "payload"))
    result = client.query(
        f"SELECT {columns} FROM {rq.table} WHERE _run_id = %(r)s ORDER BY _version DESC LIMIT {MAX_ROWS}",
        parameters={"r": run_id},
    )
    return list(result.named_results())


def check_metadata(outcome: ValidationOutcome, run_id: str | None, source: str) -> dict[str, Any]:
    drift = outcome.drift
    meta: dict[str, Any] = {
        "rows_checked": outcome.rows_checked,
        "frame_rows": MetadataValue.json(outcome.frame_rows),
        "run_id_checked": run_id or "",
        "rows_source": source,
        "failed_rows_by_check": MetadataValue.json(outcome.failure_counts),
        "failure_samples_masked": MetadataValue.json(outcome.failure_samples),
        "unparsable_rows": outcome.unparsable_rows,
        # warnings: the check passes with them
        "schema_drift_new_fields": MetadataValue.json(drift.new_fields),
        "schema_drift_missing_optional": MetadataValue.json(drift.missing_optional),
        "schema_drift_retyped_optional": MetadataValue.json(drift.retyped_optional),
        # failures
        "schema_drift_missing_required": MetadataValue.json(drift.missing_required),
        "schema_drift_retyped_required": MetadataValue.json(drift.retyped_required),
    }
    if outcome.rows_checked >= MAX_ROWS:
        meta["truncated_to_rows"] = MAX_ROWS
    return meta


def evaluate(client: Any, rq: ResourceQuality, current_run_id: str | None) -> AssetCheckResult:
    """Read and validate; shared by the Dagster check and the tests that drive it without Dagster."""
    run_id, source = choose_run_id(client, rq.table, current_run_id)
    rows = load_rows(client, rq, run_id) if run_id is not None else []
    outcome = validate_rows(rq, rows)
    description = outcome.description
    if run_id is None:
        description = f"{rq.resource}: {rq.table} holds no rows yet; nothing to validate"
    elif outcome.drift.new_fields and outcome.passed:
        description += f" (new fields, kept in payload: {', '.join(sorted(outcome.drift.new_fields))})"
    return AssetCheckResult(
        passed=outcome.passed,
        severity=AssetCheckSeverity.ERROR,
        description=description,
        metadata=check_metadata(outcome, run_id, source),
    )


def build_quality_check(rq: ResourceQuality) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(staging_asset_name(rq.resource)),
        name=CHECK_NAME,
        description=f"pandera: {rq.description} Schema drift: new fields warn, missing/retyped required fields fail.",
        blocking=True,
        required_resource_keys={"clickhouse"},
        compute_kind="pandera",
        metadata={"resource": rq.resource, "table": rq.table, "kind": "pandera"},
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        client = context.resources.clickhouse.get_client()
        try:
            result = evaluate(client, rq, context.run.run_id)
        finally:
            client.close()
        context.log.info(f"{rq.resource}: {result.description}")  # masked: built from counts and field names
        return result

    return _check


quality_checks: list[AssetChecksDefinition] = [build_quality_check(rq) for rq in RESOURCES.values()]
