#!/usr/bin/env bash
# NOT RUN here (README.md). Smoke test of the platform's replicated cluster mode on the three-node cluster of
# docker-compose.yml: bootstrap ON CLUSTER, a row written on ch1 read on ch2, the dbt models built on the cluster.
# Needs Docker with compose, and the platform installed (`make install` at the repository root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$root/.venv/bin/python"
compose=(docker compose -f "$here/docker-compose.yml")

cleanup() { [[ "${KEEP:-0}" == 1 ]] || "${compose[@]}" down -v; }
trap cleanup EXIT

q() {  # q PORT SQL: one query over HTTP (POST, so DDL works)
    curl -fsS "http://127.0.0.1:$1/" --data-binary "$2"
}

"${compose[@]}" up -d
echo "==> waiting for both nodes"
for port in 18123 18124; do
    for _ in $(seq 60); do q "$port" "SELECT 1" >/dev/null 2>&1 && break; sleep 1; done
    q "$port" "SELECT 1" >/dev/null
done
echo "==> cluster as ch1 sees it"
q 18123 "SELECT cluster, shard_num, replica_num, host_name FROM system.clusters WHERE cluster = 'qtickets' FORMAT PrettyCompact"

export CLICKHOUSE_HOST=127.0.0.1 CLICKHOUSE_PORT=18123 CLICKHOUSE_DATABASE=qtickets CLICKHOUSE_CLUSTER=qtickets
unset CLICKHOUSE_SHARDED CLICKHOUSE_REPLICATED CLICKHOUSE_ON_CLUSTER

echo "==> an unknown cluster is refused before anything is created"
if CLICKHOUSE_CLUSTER=nope "$py" -c "from qtickets_assets.resources import clickhouse_resource; clickhouse_resource().bootstrap()" 2>err.txt; then
    echo "FAILED: bootstrap accepted CLICKHOUSE_CLUSTER=nope"; exit 1
fi
grep -q "CLICKHOUSE_CLUSTER=nope is not a cluster" err.txt && rm -f err.txt

echo "==> bootstrap ON CLUSTER (through ch1)"
"$py" -c "from qtickets_assets.resources import clickhouse_resource; print(clickhouse_resource().bootstrap())"
for port in 18123 18124; do
    engine=$(q "$port" "SELECT engine FROM system.tables WHERE database = 'qtickets' AND name = 'stg_qtickets_api_orders_raw'")
    [[ "$engine" == "ReplicatedReplacingMergeTree" ]] || { echo "FAILED: node :$port has engine '$engine'"; exit 1; }
done

echo "==> a row written on ch1 is read on ch2"
q 18123 "INSERT INTO qtickets.meta_job_runs (job, asset, run_id, started_at, finished_at, status) VALUES ('smoke', 'smoke', 'smoke-1', now64(3), now64(3), 'ok')"
q 18124 "SYSTEM SYNC REPLICA qtickets.meta_job_runs"
[[ "$(q 18124 "SELECT count() FROM qtickets.meta_job_runs WHERE run_id = 'smoke-1'")" == 1 ]] || { echo "FAILED: not replicated"; exit 1; }

echo "==> dbt on the cluster (empty staging is enough to create every model ON CLUSTER, replicated)"
(cd "$root/dbt_project" && "$root/.venv/bin/dbt" run --project-dir . --profiles-dir .)
(cd "$root/dbt_project" && "$root/.venv/bin/dbt" run --project-dir . --profiles-dir . --select fact_qtickets_sales_daily)  # incremental
for port in 18123 18124; do
    engine=$(q "$port" "SELECT engine FROM system.tables WHERE database = 'qtickets' AND name = 'fact_qtickets_sales_daily'")
    [[ "$engine" == "ReplicatedMergeTree" ]] || { echo "FAILED: fact on :$port has engine '$engine'"; exit 1; }
done
q 18123 "SELECT database, table, is_readonly, active_replicas, total_replicas FROM system.replicas WHERE database = 'qtickets' FORMAT PrettyCompact"
echo "==> smoke test passed"
