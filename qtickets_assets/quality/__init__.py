"""Data quality: the pandera contracts of the staging resources, run inside ClickHouse as blocking asset checks
(checks.py, evaluate.py, frame_sql.py, contracts/), and freshness checks (freshness.py)."""
