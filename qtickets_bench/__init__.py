"""`qtickets-platform bench`: the orders ingestion against dlt and the API/ClickHouse limit, plus the
incremental, dbt and end-to-end timings; `bench e2e` is the whole run at scale. dlt is imported only inside the dlt worker (bench extra).

    stats.py     pure helpers: median, ratios, formatting
    machine.py   what the figures were measured on
    worker.py    one measured run in a fresh process (peak RSS of that process)
    variants/    the measured loads: platform, dlt (rest_api, parallel), the limit
    scenarios.py the matrix: full loads, incremental, dbt build, end-to-end
    report.py    the printed table and the target verdicts
    __main__.py  command line; writes bench/results.json
"""
