"""The sales facts' monthly partitions: one partition per calendar month of `sales_date` in the platform time zone.

A partition is exactly what the dbt models already rebuild as a unit (insert_overwrite of a `toYYYYMM(sales_date)`
ClickHouse partition), so Dagster's view of the facts (which months are materialized, and when) is the table's own
layout. Keys are the months' first days, `2026-11-01`. The first month is QTICKETS_SALES_START; the last is the
current month (`end_offset=1`: sales of the running month belong to a partition too).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dagster import MonthlyPartitionsDefinition

from qtickets_assets.settings import SettingError, setting, timezone

SALES_FACTS = ("fact_qtickets_sales_daily", "fact_qtickets_sales_utm_daily")
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def sales_start() -> str:
    value = setting("QTICKETS_SALES_START").strip()
    try:
        first = date.fromisoformat(value)
    except ValueError:
        raise SettingError(f"QTICKETS_SALES_START={value!r} is not a date (YYYY-MM-DD)") from None
    return first.replace(day=1).isoformat()


def sales_partitions() -> MonthlyPartitionsDefinition:
    return MonthlyPartitionsDefinition(start_date=sales_start(), timezone=timezone(), end_offset=1)


SALES_MONTHS = sales_partitions()


def month_key(day: date) -> str:
    return day.replace(day=1).isoformat()


def dbt_vars_for_window(start: datetime, end: datetime) -> dict[str, str]:
    """The dbt vars that rebuild exactly the months of a partition window [start, end) (local midnights)."""
    return {"sales_date_from": start.date().isoformat(), "sales_date_to": (end - timedelta(days=1)).date().isoformat()}


def contiguous_ranges(months: set[str], known: list[str]) -> list[tuple[str, str]]:
    """Partition keys grouped into runs of consecutive keys of `known` (the definition's keys, in order): one
    range per run, so a backfill-style request never rebuilds a month nobody asked for."""
    position = {key: i for i, key in enumerate(known)}
    wanted = sorted((position[m], m) for m in months if m in position)
    ranges: list[tuple[str, str]] = []
    for index, key in wanted:
        if ranges and position[ranges[-1][1]] == index - 1:
            ranges[-1] = (ranges[-1][0], key)
        else:
            ranges.append((key, key))
    return ranges


def all_months_tags() -> dict[str, str]:
    """Run tags covering every partition in one run (the demo, `bench e2e`, the tests' full materializations)."""
    keys = SALES_MONTHS.get_partition_keys()
    return {RANGE_START_TAG: keys[0], RANGE_END_TAG: keys[-1]}
