"""The other choice for overlapping the staging loads, kept only to measure it (`bench e2e --module
qtickets_bench.per_resource_steps`): one step per resource, overlapped by Dagster's multiprocess executor.

Everything else is the platform's code location (same checks, dbt models, audit, resources). The difference:
  - ten staging steps instead of one; the multiprocess executor runs up to MAX_PROCESSES of them (and the
    checks, dbt and the audit) in their own processes;
  - each step process has its own API budget (client/budget.py is per process), so to ask the API for no more
    than the platform's default, each process gets the default divided by MAX_PROCESSES.
The platform ships the one-step design (qtickets/ingest/assets.py); bench/README.md has both figures.
"""

from __future__ import annotations

import os

from dagster import Definitions, multiprocess_executor

from qtickets_assets import definitions as platform
from qtickets_assets.qtickets.client.api import DEFAULT_REQUESTS_PER_SECOND
from qtickets_assets.qtickets.ingest.assets import STEP_NAME, build_staging_assets
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.resources import all_resources

MAX_PROCESSES = int(os.environ.get("QTICKETS_BENCH_PROCESSES", "4"))

# No pool: the instance's `qtickets_api` pool (limit 1) would run them one after another; the split budget below
# is what keeps this variant within the API's allowance.
per_resource_steps = [build_staging_assets([entry], name=f"load_{name}", pool=None) for name, entry in CATALOG.items()]
resources = all_resources()
resources["qtickets"] = resources["qtickets"].model_copy(
    update={
        "requests_per_second": float(os.environ.get("QTICKETS_REQUESTS_PER_SECOND") or DEFAULT_REQUESTS_PER_SECOND)
        / MAX_PROCESSES
    }
)

defs = Definitions(
    assets=[*per_resource_steps, *[a for a in platform.assets if a.node_def.name != STEP_NAME]],
    asset_checks=platform.defs.asset_checks,
    resources=resources,
    executor=multiprocess_executor.configured({"max_concurrent": MAX_PROCESSES}),
)
