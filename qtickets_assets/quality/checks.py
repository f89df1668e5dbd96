"""Blocking pandera asset checks, one per staging asset: the contract of its resource, run inside ClickHouse.

Each check validates what the materialization loaded: the rows of the current run when the asset was loaded in
this run, otherwise the rows of the newest load of the table (`argMax(_run_id, _version)`). The rows never leave
ClickHouse (evaluate.py): the check reads counts, and up to three masked rows per failing rule. A failure has
severity ERROR and the check is blocking, so dbt models downstream do not build in the same run; the raw rows
stay in staging (nothing is ever deleted) and the next good load passes again.
"""

from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from qtickets_assets.clickhouse.resource import validate_identifier
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.quality.contracts import CONTRACTS
from qtickets_assets.quality.evaluate import ValidationOutcome, evaluate_contract
from qtickets_assets.quality.fields import ResourceContract

CHECK_NAME = "pandera_contract"


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


def check_metadata(outcome: ValidationOutcome, run_id: str | None, source: str) -> dict[str, Any]:
    drift = outcome.drift
    return {
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


def evaluate(client: Any, contract: ResourceContract, current_run_id: str | None) -> AssetCheckResult:
    """Choose the load and validate it; shared by the Dagster check and the tests that drive it without Dagster."""
    table = validate_identifier(CATALOG[contract.resource].table, "table")
    run_id, source = choose_run_id(client, table, current_run_id)
    if run_id is None:
        outcome = ValidationOutcome(resource=contract.resource, rows_checked=0)
        description = f"{contract.resource}: {table} holds no rows yet; nothing to validate"
    else:
        outcome = evaluate_contract(contract, table, run_id, lambda sql: client.query(sql).result_rows)
        description = outcome.description
        if outcome.drift.new_fields and outcome.passed:
            description += f" (new fields, kept in payload: {', '.join(sorted(outcome.drift.new_fields))})"
    return AssetCheckResult(
        passed=outcome.passed,
        severity=AssetCheckSeverity.ERROR,
        description=description,
        metadata=check_metadata(outcome, run_id, source),
    )


def build_quality_check(contract: ResourceContract) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(CATALOG[contract.resource].table),
        name=CHECK_NAME,
        description=f"pandera: {contract.description} Schema drift: new fields warn, missing/retyped required "
        f"fields fail.",
        blocking=True,
        required_resource_keys={"clickhouse"},
        compute_kind="pandera",
        metadata={"resource": contract.resource, "table": CATALOG[contract.resource].table, "kind": "pandera"},
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        client = context.resources.clickhouse.get_client()
        try:
            result = evaluate(client, contract, context.run.run_id)
        finally:
            client.close()
        context.log.info(f"{contract.resource}: {result.description}")  # masked: built from counts and field names
        return result

    return _check


# One check per catalog resource: a resource without a contract is a KeyError here, at import, naming it.
quality_checks: list[AssetChecksDefinition] = [build_quality_check(CONTRACTS[name]) for name in CATALOG]
