"""Render report.md from one audit's measured facts. Pure: every figure comes from the AuditFacts given.

Sections follow what the users' earlier audits had (summary, methodology, test matrix, counts, errors and
retries, what was not executed, artifacts, a Russian section) — with figures that are measured, not typed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from qtickets_assets.audit.counts import TableCount
from qtickets_assets.audit.verdict import EXPECTED_ERROR, FAILED, NOT_EXECUTED, PASSED, CaseResult, Verdict, totals

RESULT_RU = {
    PASSED: "пройдено",
    EXPECTED_ERROR: "ожидаемая ошибка",
    FAILED: "не пройдено",
    NOT_EXECUTED: "не выполнено",
}


@dataclass
class AuditFacts:
    run_tag: str
    started_at: datetime
    finished_at: datetime
    plan_version: str
    source_plan: str
    git_revision: str
    rest_url: str
    partners_url: str
    environment: dict[str, str]
    writes_enabled: bool
    writes_reason: str
    timezone: str
    verdict: Verdict
    results: list[CaseResult]
    discovery: list[CaseResult]
    discovery_notes: list[str]
    counts: list[TableCount]
    counts_error: str | None
    previous_audit: str | None
    files: list[str] = field(default_factory=list)  # archive members, report.md included


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return out


def _latency(results: list[CaseResult]) -> tuple[int, str]:
    values = [r.latency_ms for r in results if r.latency_ms is not None and r.status is not None]
    if not values:
        return 0, "no answer measured"
    return len(values), (
        f"min {min(values):.1f} ms, median {statistics.median(values):.1f} ms, max {max(values):.1f} ms"
    )


def _local(ts: datetime, tz: str) -> str:
    return ts.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S %Z")


def render(f: AuditFacts) -> str:
    t = totals(f.results)
    plan_cases = [r for r in f.results if not r.addition]
    executed = [r for r in f.results if r.result != NOT_EXECUTED]
    n_lat, lat = _latency(f.results + f.discovery)
    retries = sum(r.retries for r in f.results + f.discovery)
    duration = (f.finished_at - f.started_at).total_seconds()
    out = [
        f"# QTickets API audit {f.run_tag}",
        "",
        "## 1. Summary",
        "",
        f"**Verdict: {f.verdict.text}**",
        "",
        f"- Cases in the plan: {len(f.results)} ({len(plan_cases)} from the original plan, "
        f"{len(f.results) - len(plan_cases)} additions); executed: {len(executed)}",
        f"- Results: passed {t[PASSED]}, expected error {t[EXPECTED_ERROR]}, failed {t[FAILED]}, "
        f"not executed {t[NOT_EXECUTED]}",
        f"- Writes: {f.writes_reason}",
        f"- Started {f.started_at.isoformat(timespec='seconds')}, finished "
        f"{f.finished_at.isoformat(timespec='seconds')} (UTC), {duration:.1f} s",
        f"- Requests answered: {n_lat} ({lat}); retries: {retries}",
        "",
        "## 2. Methodology",
        "",
        f"- Plan: `qtickets_assets/audit/plan.yaml`, version `{f.plan_version}` (rewrites {f.source_plan} "
        "to the real API; references point to sections of docs/qtickets_api.md in the repository)",
        f"- Git revision: `{f.git_revision}`",
        f"- REST API: {f.rest_url}",
        f"- Partners API: {f.partners_url}",
        "- Environment: " + "; ".join(f"{k} {v}" for k, v in f.environment.items()),
        "- Each case is sent once through the platform's client (retries only for transport faults and 429); "
        "the answer is compared with the case's expectation: *passed* (success as expected), *expected error* "
        "(the error the real API gives), *failed* (anything else), *not executed* (with the reason).",
        "- Placeholders were resolved by read-only discovery before the probes (reads are in log.jsonl, "
        "stage `discovery`):",
        "",
    ]
    out += [f"  - {n}" for n in f.discovery_notes] or ["  - (nothing discovered)"]
    out += ["", "## 3. Test matrix", ""]
    out += _table(
        ["ID", "Title", "Request", "Spec", "Expected", "Actual", "Result", "Latency ms"],
        [
            [
                r.id + (" (added)" if r.addition else ""),
                r.title,
                f"{r.method} {'partners ' if r.api == 'partners' else ''}{r.path}",
                r.spec_ref,
                r.expected,
                r.actual or "—",
                r.result_text,
                "" if r.latency_ms is None else f"{r.latency_ms:.1f}",
            ]
            for r in f.results
        ],
    )
    out += ["", "### What the original plan got wrong", ""]
    out += _table(
        ["ID", "Original plan", "Real API", "Note"],
        [
            [
                r.id,
                f"{(r.original or {}).get('method', '')} {(r.original or {}).get('path', '')}",
                f"{r.method} {r.path}",
                r.mapping_note,
            ]
            for r in f.results
            if r.mapping_note and r.original
        ],
    )
    out += ["", "## 4. ClickHouse counts", ""]
    if f.counts_error:
        out.append(f"Not measured: {f.counts_error}")
    else:
        src = (
            f"the previous audit {f.previous_audit}" if f.previous_audit else "0: no previous audit in the output root"
        )
        out.append(
            f"Rows before = {src}; rows after = count() now; distinct keys = distinct business keys "
            "(what downstream models see after deduplication)."
        )
        out.append("")
        out += _table(
            ["Table", "Kind", "Rows before", "Rows after", "Delta", "Distinct keys"],
            [
                [
                    c.table,
                    c.kind,
                    c.rows_before,
                    c.rows_after,
                    f"{c.delta:+d}",
                    "" if c.distinct_keys is None else c.distinct_keys,
                ]
                for c in f.counts
            ],
        )
    out += ["", "## 5. Errors and retries", ""]
    errs = [r for r in f.discovery + f.results if r.error or r.retries or (r.status or 0) >= 400]
    if errs:
        out += _table(
            ["ID", "Request", "Status", "Code", "Retries", "Transport error", "Result"],
            [[r.id, f"{r.method} {r.path}", r.status, r.code, r.retries, r.error, r.result] for r in errs],
        )
    else:
        out.append("No error status, transport error or retry.")
    out += ["", "## 6. Not executed", ""]
    skipped = [r for r in f.results if r.result == NOT_EXECUTED]
    out += [f"- {r.id} {r.method} {r.path}: {r.reason}" for r in skipped] or ["Every case was executed."]
    out += [
        "",
        "## 7. Artifacts",
        "",
        f"Files in this archive (audit_{f.run_tag}.zip; verify it with "
        f"`sha256sum -c audit_{f.run_tag}.zip.sha256` in this folder):",
        "",
    ]
    out += [f"- `{name}`" for name in f.files]
    out += [
        "",
        "## 8. Итог (по-русски)",
        "",
        f"**Вердикт: {f.verdict.text_ru}**",
        "",
        f"- Начало: {_local(f.started_at, f.timezone)}, окончание: {_local(f.finished_at, f.timezone)} ({f.timezone})",
        f"- Проверок: {len(f.results)} ({len(plan_cases)} из исходного плана, "
        f"{len(f.results) - len(plan_cases)} добавлено); выполнено: {len(executed)}",
        "- Результаты: " + ", ".join(f"{RESULT_RU[k]} {t[k]}" for k in RESULT_RU),
        f"- Запись в API: {'включена' if f.writes_enabled else 'отключена'} ({f.writes_reason})",
        "- Все цифры этого отчёта измерены в этом запуске; персональные данные в ответах замаскированы, "
        "токены не сохраняются.",
        "",
    ]
    return "\n".join(out) + "\n"
