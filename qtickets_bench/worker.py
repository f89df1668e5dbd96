"""One measured run in a fresh Python process, so that its peak RSS is its own.

    python -m qtickets_bench.worker '<json spec>'

The spec names the variant and where the sandbox and ClickHouse are; the last stdout line is
`BENCH_RESULT {json}` with the variant's figures plus the process's peak RSS (ru_maxrss: the high-water
mark of the whole process life, imports included, so `base_rss_mb` — the peak after imports, before
the load — is reported beside it).
"""

from __future__ import annotations

import json
import resource
import sys

RESULT_PREFIX = "BENCH_RESULT "


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux: KiB


def _peak_self_mb() -> float:
    """VmHWM: this process's own peak RSS. ru_maxrss keeps the parent's RSS at fork across exec, so a
    large parent would inflate it; VmHWM belongs to the new address space only."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return _rss_mb(resource.RUSAGE_SELF)


def run_variant(spec: dict) -> dict:
    variant = spec["variant"]
    if variant in ("platform", "platform_default", "platform_all"):
        from .variants import platform

        if variant == "platform_default":  # the budget users get, whatever --platform-rps says
            from qtickets_assets.qtickets.client.api import DEFAULT_REQUESTS_PER_SECOND

            spec = {**spec, "rps": DEFAULT_REQUESTS_PER_SECOND}
        prepare, run = platform.prepare, (platform.run if variant != "platform_all" else platform.run_all)
    elif variant in ("dlt_rest_api", "dlt_parallel"):
        from .variants import dlt_load

        prepare, run = dlt_load.prepare, (dlt_load.run_rest_api if variant == "dlt_rest_api" else dlt_load.run_parallel)
    elif variant == "limit":
        from .variants import limit

        prepare, run = limit.prepare, limit.run
    else:
        raise SystemExit(f"unknown variant {variant!r}")
    prepare(spec)  # imports and settings, outside the measured part
    base = _peak_self_mb()
    out = run(spec)
    out.update(
        variant=variant,
        base_rss_mb=round(base, 1),
        peak_rss_mb=round(_peak_self_mb(), 1),
        children_peak_rss_mb=round(_rss_mb(resource.RUSAGE_CHILDREN), 1),
    )
    return out


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    out = run_variant(spec)
    sys.stdout.write(RESULT_PREFIX + json.dumps(out, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
