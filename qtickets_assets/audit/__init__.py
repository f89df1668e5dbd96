"""The audit: plan (plan.yaml), discovery, probes, ClickHouse counts, report, archive and the Dagster asset.

`from qtickets_assets.audit.asset import qtickets_audit` for definitions.py (kept out of this __init__ so the
pure helpers import without dagster).
"""
