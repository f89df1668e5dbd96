"""Freshness checks for the staging tables and the facts: one policy table, applied in one place.

`build_last_update_freshness_checks` (Dagster 1.13) gives one asset check per asset, visible in the UI under the
asset's checks; it fails when the asset's last materialization is older than the allowed lag. Severity is WARN:
stale data is worth a look, not a reason to block anything. A sensor evaluates the checks between runs (a check
result only appears when something runs it); definitions.py must include `freshness_checks_sensor`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

from dagster import (
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    AssetSpec,
    DefaultSensorStatus,
    FreshnessPolicy,
    SensorDefinition,
    apply_freshness_policy,
    build_last_update_freshness_checks,
    build_sensor_for_freshness_checks,
)

from qtickets_assets.qtickets.ingest.catalog import CATALOG

# Allowed lag since the last successful materialization of each staging asset: the catalog's max_lag (sales and
# seats move by the minute, reference data rarely).
STAGING_MAX_LAG: dict[str, timedelta] = {name: entry.max_lag for name, entry in CATALOG.items()}
# The facts are rebuilt right after the staging loads they read, so their lag matches the fastest input.
FACT_MAX_LAG: dict[str, timedelta] = {
    "fact_qtickets_sales_daily": timedelta(hours=3),
    "fact_qtickets_inventory_latest": timedelta(hours=3),
    "dim_qtickets_events": timedelta(hours=8),
}


def _group_by_lag(keys_and_lags: Iterable[tuple[AssetKey, timedelta]]) -> dict[timedelta, list[AssetKey]]:
    groups: dict[timedelta, list[AssetKey]] = {}
    for key, lag in keys_and_lags:
        groups.setdefault(lag, []).append(key)
    return groups


def build_freshness_checks(
    staging_max_lag: Mapping[str, timedelta] = STAGING_MAX_LAG,
    fact_keys: Mapping[str, AssetKey] | None = None,
    fact_max_lag: Mapping[str, timedelta] = FACT_MAX_LAG,
) -> list[AssetChecksDefinition]:
    """Freshness checks for every staging asset and the facts.

    fact_keys maps a fact's model name to its Dagster asset key, because the dbt translator decides the keys
    (by default the bare model name, `AssetKey("fact_qtickets_sales_daily")`). A fact missing from fact_keys when
    it is given is skipped, so the checks never point at an asset the code location does not define.
    """
    pairs: list[tuple[AssetKey, timedelta]] = [
        (AssetKey(CATALOG[resource].table), lag) for resource, lag in staging_max_lag.items()
    ]
    for model, lag in fact_max_lag.items():
        key = AssetKey(model) if fact_keys is None else fact_keys.get(model)
        if key is not None:
            pairs.append((key, lag))
    checks: list[AssetChecksDefinition] = []
    for lag, keys in _group_by_lag(pairs).items():
        with warnings.catch_warnings():  # "superseded": see build_freshness_sensor
            warnings.simplefilter("ignore")
            checks.extend(
                build_last_update_freshness_checks(
                    assets=keys, lower_bound_delta=lag, severity=AssetCheckSeverity.WARN, blocking=False
                )
            )
    return checks


def build_freshness_sensor(checks: Sequence[AssetChecksDefinition]) -> SensorDefinition:
    # Stopped by default like every sensor of the platform (automation.py): turn it on in the UI; until then the
    # checks run only when launched from the asset page.
    # Dagster 1.13 marks the sensor "superseded" by FreshnessPolicy, but those policies are a preview that is off
    # unless dagster.yaml sets `freshness: {enabled: true}`; the checks work everywhere, so they stay the default.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_sensor_for_freshness_checks(
            freshness_checks=checks,
            minimum_interval_seconds=300,
            name="freshness_checks_sensor",
            default_status=DefaultSensorStatus.STOPPED,
        )


def freshness_policy_spec_mapper(fact_keys: Mapping[str, AssetKey] | None = None):
    """For `Definitions.map_asset_specs(func=...)`: the same lags as Dagster 1.13 FreshnessPolicy objects
    (fail after the lag, warn at half of it), for deployments that enable the freshness preview."""
    lags: dict[AssetKey, timedelta] = {AssetKey(CATALOG[r].table): lag for r, lag in STAGING_MAX_LAG.items()}
    for model, lag in FACT_MAX_LAG.items():
        key = AssetKey(model) if fact_keys is None else fact_keys.get(model)
        if key is not None:
            lags[key] = lag

    def mapper(spec: AssetSpec) -> AssetSpec:
        lag = lags.get(spec.key)
        if lag is None:
            return spec
        return apply_freshness_policy(spec, FreshnessPolicy.time_window(fail_window=lag, warn_window=lag / 2))

    return mapper


freshness_checks: list[AssetChecksDefinition] = build_freshness_checks()
freshness_checks_sensor: SensorDefinition = build_freshness_sensor(freshness_checks)
