"""The printed table and the target verdicts (figures only: nothing here fails a run)."""

from __future__ import annotations

from .stats import fmt_count, fmt_mb, fmt_rate, fmt_ratio, fmt_seconds, ratio

LABELS = {
    "platform": "(a) platform RAISED",
    "platform_default": "(a) platform default",
    "dlt_rest_api": "(b1) dlt rest_api",
    "dlt_parallel": "(b2) dlt parallel",
    "limit": "(c) limit",
}


def cell_ratios(variants: dict) -> dict:
    """Speed-ups against dlt, and the platform against the limit: `a_over_c` against the larger of fetch and
    insert (a loader that overlaps them is bounded by that, not by their sum), `a_over_c_sum` against the sum."""
    t = {v: (s.get("median") or {}).get("seconds") for v, s in variants.items()}
    a = t.get("platform")
    limit = (variants.get("limit") or {}).get("median") or {}
    return {
        "b1_over_a": ratio(t.get("dlt_rest_api"), a),
        "b2_over_a": ratio(t.get("dlt_parallel"), a),
        "a_over_c": ratio(a, limit.get("overlap_bound_seconds")),
        "a_over_c_sum": ratio(a, t.get("limit")),
        "a_default_over_c": ratio(t.get("platform_default"), limit.get("overlap_bound_seconds")),
    }


def full_load_lines(cells: list[dict]) -> list[str]:
    head = f"{'orders':>9} {'lat':>6}  {'variant':<19} {'wall':>9} {'rows/s':>9} {'requests':>8} {'peak RSS':>9}  notes"
    lines = [head, "-" * len(head)]
    for cell in cells:
        first = True
        for variant, summary in cell["variants"].items():
            m = summary.get("median") or {}
            note = ""
            if variant == "platform" and m.get("step_seconds") is not None:
                note = f"step {fmt_seconds(m['step_seconds'])} of it (rest: Dagster run)"
            elif variant == "limit" and m.get("fetch_seconds") is not None:
                note = (
                    f"max(fetch {fmt_seconds(m['fetch_seconds'])}, insert {fmt_seconds(m['insert_seconds'])}) = "
                    f"{fmt_seconds(m.get('overlap_bound_seconds'))}; wall column = the sum"
                )
            elif variant.startswith("dlt") and m.get("children_peak_rss_mb"):
                note = f"normalize children peak {fmt_mb(m['children_peak_rss_mb'])}"
            if summary.get("failed"):
                note += f" [{summary['failed']} run(s) FAILED]"
            lines.append(f"{cell['orders'] if first else '':>9,} " if first else f"{'':>9} ")
            lines[-1] += (
                f"{str(cell['latency_ms']) + ' ms' if first else '':>6}  {LABELS[variant]:<19} "
                f"{fmt_seconds(m.get('seconds')):>9} {fmt_rate(m.get('rows'), m.get('seconds')):>9} "
                f"{fmt_count(m.get('requests')):>8} {fmt_mb(m.get('peak_rss_mb')):>9}  {note}"
            )
            first = False
        r = cell["ratios"]
        lines.append(
            f"{'':>17}  platform (raised) speed-up: vs b1 {fmt_ratio(r['b1_over_a'])}, vs b2 "
            f"{fmt_ratio(r['b2_over_a'])}; platform / max(fetch, insert) {fmt_ratio(r['a_over_c'])} "
            f"(/ sum {fmt_ratio(r.get('a_over_c_sum'))}); at the default budget / max "
            f"{fmt_ratio(r.get('a_default_over_c'))}"
        )
    return lines


def incremental_lines(cells: list[dict]) -> list[str]:
    lines = []
    for cell in cells:
        inc = cell.get("incremental")
        if not inc:
            continue
        for label, s in inc.items():
            m = s.get("median") or {}
            lines.append(
                f"{cell['orders']:>9,} {str(cell['latency_ms']) + ' ms':>6}  {label:<22} step "
                f"{fmt_seconds(m.get('step_seconds')):>8}, materialize {fmt_seconds(m.get('seconds')):>8}, "
                f"{fmt_count(m.get('requests'))} requests, {fmt_count(m.get('rows'))} rows"
            )
    return lines


def dbt_lines(dbt: dict | None) -> list[str]:
    if not dbt:
        return []
    if "error" in dbt:
        return [f"dbt: FAILED {dbt['error'][:200]}"]
    out = [
        f"dbt build on {dbt['orders']:,} orders (staging rows: {sum(v or 0 for v in dbt['staging_rows'].values()):,})"
    ]
    for label in ("full_refresh", "incremental_nothing_new"):
        m = (dbt.get(label) or {}).get("median") or {}
        out.append(f"  {label:<24} {fmt_seconds(m.get('seconds'))}")
    return out


def e2e_lines(e2e: dict | None) -> list[str]:
    if not e2e:
        return []
    m = e2e["median"]
    return [
        f"end to end, all assets in one Dagster run ({e2e['orders']:,} orders, {e2e['latency_ms']} ms): "
        f"{fmt_seconds(m['wall_seconds'])}" + (f"  [{e2e['failed']} run(s) FAILED]" if e2e.get("failed") else ""),
        f"  ingestion loads {fmt_seconds(m['ingestion_loads'])} (summed request latency "
        f"{fmt_seconds(m['api_seconds_summed'])}, insert thread {fmt_seconds(m['insert_seconds'])}), "
        f"dbt {fmt_seconds(m['dbt'])}, audit {fmt_seconds(m['audit'])}, quality checks "
        f"{fmt_seconds(m.get('quality_checks'))}, other steps {fmt_seconds(m['other_steps'])}, "
        f"Dagster overhead {fmt_seconds(m['dagster_overhead'])}; {fmt_count(m['api_requests_total'])} API requests",
    ]


def targets(cells: list[dict]) -> list[dict]:
    """Each target with its measured value and whether it was met (None = not measured)."""

    def cell(n, lat):
        return next((c for c in cells if c["orders"] == n and c["latency_ms"] == lat), None)

    out = []
    c = cell(200000, 150)
    r = c["ratios"] if c else {}
    out.append(
        {
            "target": "platform >= 3x faster than b1 at 200,000 / 150 ms",
            "value": r.get("b1_over_a"),
            "met": None if r.get("b1_over_a") is None else r["b1_over_a"] >= 3,
        }
    )
    out.append(
        {
            "target": "platform >= 2x faster than b2 at 200,000 / 150 ms",
            "value": r.get("b2_over_a"),
            "met": None if r.get("b2_over_a") is None else r["b2_over_a"] >= 2,
        }
    )
    for c in cells:
        tag = f"{c['orders']:,} / {c['latency_ms']} ms"
        r = c["ratios"]
        if c["latency_ms"] == 0:
            both = [x for x in (r["b1_over_a"], r["b2_over_a"]) if x is not None]
            out.append(
                {
                    "target": f"platform faster than b1 and b2 at {tag}",
                    "value": min(both) if both else None,
                    "met": (min(both) > 1) if both else None,
                }
            )
        out.append(
            {
                "target": f"platform (raised budget) within 1.2x of max(fetch, insert) at {tag}",
                "value": r["a_over_c"],
                "met": None if r["a_over_c"] is None else r["a_over_c"] <= 1.2,
            }
        )
    rss: dict[int, float | None] = {}  # the WORST median over the latencies measured at each N
    for c in cells:
        if "platform" in c["variants"]:
            value = (c["variants"]["platform"].get("median") or {}).get("peak_rss_mb")
            rss[c["orders"]] = value if rss.get(c["orders"]) is None else max(rss[c["orders"]], value or 0)
    big = max(rss) if rss else None
    if big:
        out.append(
            {
                "target": "platform peak RSS < 500 MB at the largest N"
                + (" (1,000,000 wanted)" if big < 10**6 else ""),
                "value": {f"{n:,}": v for n, v in sorted(rss.items())},
                "met": None if rss[big] is None else rss[big] < 500,
            }
        )
    steps = [
        ((cl.get("incremental") or {}).get("nothing_new") or {}).get("median", {}).get("step_seconds") for cl in cells
    ]
    worst = max((s for s in steps if s is not None), default=None)
    out.append(
        {
            "target": "incremental with nothing new < 5 s (ingestion step, worst cell)",
            "value": worst,
            "met": None if worst is None else worst < 5,
        }
    )
    return out


def _show(value) -> str:
    if isinstance(value, dict):  # peak RSS by N
        return ", ".join(f"{k}: {fmt_mb(x)}" for k, x in value.items())
    return fmt_ratio(value)


def target_lines(items: list[dict]) -> list[str]:
    lines = []
    for t in items:
        mark = "MET " if t["met"] else "MISS" if t["met"] is False else " -- "
        value = fmt_seconds(t["value"]) if "< 5 s" in t["target"] else _show(t["value"])
        lines.append(f"  [{mark}] {t['target']}: {value}")
    return lines
