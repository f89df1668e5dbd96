"""One audit run: discovery → probes → ClickHouse counts → verdict → files → archive.

Output folder `<output_root>/<run tag>/`: report.md, log.jsonl, clickhouse_counts.csv, responses/<case>.json,
audit_<tag>.zip (all of them) and audit_<tag>.zip.sha256. Every text written goes through the privacy
helpers twice (structured masking where the data is built, then a text-level pass as a safety net).
"""

from __future__ import annotations

import json
import platform
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from qtickets_assets.audit import counts as ch_counts
from qtickets_assets.audit.archive import pack
from qtickets_assets.audit.discovery import Discovery, generated_values
from qtickets_assets.audit.plan import load_plan
from qtickets_assets.audit.probes import Prober, run_plan
from qtickets_assets.audit.report import AuditFacts, render
from qtickets_assets.audit.verdict import CaseResult, Verdict, derive_verdict, is_production, totals, writes_decision
from qtickets_assets.privacy import mask_text, redact_secrets
from qtickets_assets.settings import audit_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
# Absolute, fixed at import (settings.audit_dir): a relative path followed the working directory, which dbt's
# in-process helpers change mid-run, so reports landed in dbt_project/.local/audit.
DEFAULT_OUTPUT_ROOT = str(audit_dir())


@dataclass
class AuditOutcome:
    run_tag: str
    folder: Path
    verdict: Verdict
    results: list[CaseResult]
    counts: list[ch_counts.TableCount]
    counts_error: str | None
    zip_path: Path
    sha256: str
    report_md: str
    files: list[str]

    @property
    def totals(self) -> dict[str, int]:
        return totals(self.results)


def git_revision() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    rev = out.stdout.strip()
    return rev if out.returncode == 0 and len(rev) >= 7 else "unknown"


class JsonlLog:
    """log.jsonl: one line per step (ts, stage, test_id, endpoint, spec_ref, status, latency_ms, result, notes)."""

    def __init__(self, secrets: tuple[str, ...]):
        self.secrets = secrets
        self.lines: list[str] = []

    def add(
        self,
        stage: str,
        *,
        test_id: str | None = None,
        endpoint: str | None = None,
        spec_ref: str | None = None,
        status: int | None = None,
        latency_ms: float | None = None,
        result: str | None = None,
        notes: str = "",
    ) -> None:
        row = {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "stage": stage,
            "test_id": test_id,
            "endpoint": endpoint,
            "spec_ref": spec_ref,
            "status": status,
            "latency_ms": latency_ms,
            "result": result,
            "notes": notes,
        }
        self.lines.append(safe_text(json.dumps(row, ensure_ascii=False), self.secrets))

    def case(self, stage: str, r: CaseResult) -> None:
        self.add(
            stage,
            test_id=r.id,
            endpoint=f"{r.method} {r.url or r.path}",
            spec_ref=r.spec_ref,
            status=r.status,
            latency_ms=r.latency_ms,
            result=r.result,
            notes="; ".join(
                x for x in (r.reason, r.actual, f"retries {r.retries}" if r.retries else "", r.error or "") if x
            ),
        )

    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


def identifies_as_sandbox(base_url: str, timeout: float = 5.0) -> bool:
    """True when the host of `base_url` answers GET /__sandbox/health as the qtickets sandbox does
    (`{"service": "qtickets-sandbox", "sandbox": true}`). Never asked of production; no token is sent."""
    if not base_url or is_production(base_url):
        return False
    parts = urlsplit(base_url)
    try:
        answer = requests.get(
            f"{parts.scheme}://{parts.netloc}/__sandbox/health", timeout=timeout, allow_redirects=False
        )
        body = answer.json() if answer.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return False
    return isinstance(body, dict) and body.get("service") == "qtickets-sandbox" and body.get("sandbox") is True


def safe_text(text: str, secrets: tuple[str, ...]) -> str:
    return redact_secrets(mask_text(text), secrets)


def _new_folder(root: Path, now: datetime) -> tuple[str, Path]:
    base = now.strftime("%Y%m%dT%H%M%SZ")
    tag, n = base, 1
    while (root / tag).exists():
        n += 1
        tag = f"{base}-{n}"
    folder = root / tag
    (folder / "responses").mkdir(parents=True)
    return tag, folder


def _response_doc(r: CaseResult) -> dict[str, Any]:
    return {
        "id": r.id,
        "title": r.title,
        "api": r.api,
        "spec_ref": r.spec_ref,
        "writes": r.writes,
        "request": {"method": r.method, "url": r.url or r.path, "auth": r.auth, "body": r.request_body},
        "expected": r.expected,
        "status": r.status,
        "code": r.code,
        "actual": r.actual,
        "latency_ms": r.latency_ms,
        "retries": r.retries,
        "error": r.error,
        "result": r.result,
        "reason": r.reason,
        "original": r.original,
        "mapping_note": r.mapping_note,
        "response_masked": r.response,
    }


def run_audit(
    client,
    *,
    rest_token: str,
    partners_token: str,
    ch_client,
    database: str,
    output_root: str | Path = DEFAULT_OUTPUT_ROOT,
    allow_writes: bool = False,
    writes_override: bool = False,
    tz: str = "Europe/Moscow",
    plan_path: str | Path | None = None,
    ch_unavailable: str | None = None,
) -> AuditOutcome:
    """`ch_client` may be None when ClickHouse could not be reached; `ch_unavailable` then says why (the
    audit still probes the API and reports the counts as not measured)."""
    started = datetime.now(UTC)
    root = Path(output_root)
    run_tag, folder = _new_folder(root, started)
    plan = load_plan(plan_path)
    secrets = tuple(s for s in (rest_token, partners_token) if s)
    log = JsonlLog(secrets)
    bases = [client.base["rest"], client.base["partners"]]
    # Asked only when writes were requested: the sandbox check is itself a request to the target's host.
    sandbox = allow_writes and all(identifies_as_sandbox(b) for b in bases)
    writes_enabled, writes_reason = writes_decision(allow_writes, bases, sandbox, writes_override)
    # The audit's policy decides; the client's guard follows it (it still refuses any write we did not allow).
    saved_allow, client.allow_writes = client.allow_writes, writes_enabled
    revision = git_revision()
    log.add("setup", notes=f"plan {plan.version}, {len(plan.cases)} cases; git {revision}; {writes_reason}")
    prober = Prober(client, secrets)
    try:
        discovery = Discovery(prober, on_step=lambda s: log.case("discovery", s))
        values = discovery.run()
        values.update(generated_values(run_tag, started, tz))
        log.add("discovery", notes="; ".join(discovery.notes))
        results = run_plan(
            plan,
            prober,
            values,
            writes_enabled,
            writes_reason,
            rest_token,
            on_result=lambda r: log.case("probe", r),
            discovery_problem=discovery.problem(),
        )
    finally:
        client.allow_writes = saved_allow

    for r in results:
        doc = json.dumps(_response_doc(r), ensure_ascii=False, indent=2, default=str)
        (folder / "responses" / f"{r.id}.json").write_text(safe_text(doc, secrets) + "\n", encoding="utf-8")

    previous, previous_tag = ch_counts.previous_counts(root, exclude=folder)
    table_counts: list[ch_counts.TableCount] = []
    counts_error = None
    ch_version = "unknown"
    try:
        if ch_client is None:
            raise RuntimeError(ch_unavailable or "no ClickHouse client")
        ch_version = str(ch_client.query("SELECT version()").result_rows[0][0])
        table_counts = ch_counts.measure(ch_client, database, previous)
        for c in table_counts:
            log.add(
                "counts",
                endpoint=c.table,
                result="measured",
                notes=f"before {c.rows_before}, after {c.rows_after}, delta {c.delta:+d}"
                + (f", distinct keys {c.distinct_keys}" if c.distinct_keys is not None else ""),
            )
    except Exception as err:  # noqa: BLE001 - reported in the verdict, never a crash of the audit
        counts_error = safe_text(f"{type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ''}", secrets)
        log.add("counts", result="failed", notes=counts_error)

    verdict = derive_verdict(results, counts_error, discovery.steps)
    finished = datetime.now(UTC)
    log.add("verdict", result=verdict.status, notes=verdict.text)

    files = ["report.md", "log.jsonl", ch_counts.CSV_NAME] + [f"responses/{r.id}.json" for r in results]
    facts = AuditFacts(
        run_tag=run_tag,
        started_at=started,
        finished_at=finished,
        plan_version=plan.version,
        source_plan=plan.source_plan,
        git_revision=revision,
        rest_url=client.base["rest"],
        partners_url=client.base["partners"],
        environment={
            "OS": f"{platform.system()} {platform.release()}",
            "Python": platform.python_version(),
            "dagster": _version("dagster"),
            "ClickHouse": ch_version,
            "database": database,
            "time zone": tz,
        },
        writes_enabled=writes_enabled,
        writes_reason=writes_reason,
        timezone=tz,
        verdict=verdict,
        results=results,
        discovery=discovery.steps,
        discovery_notes=discovery.notes,
        counts=table_counts,
        counts_error=counts_error,
        previous_audit=previous_tag,
        files=files,
    )
    report_md = safe_text(render(facts), secrets)
    (folder / "log.jsonl").write_text(log.text(), encoding="utf-8")
    (folder / "report.md").write_text(report_md, encoding="utf-8")
    (folder / ch_counts.CSV_NAME).write_text(ch_counts.to_csv(table_counts), encoding="utf-8")
    zip_path, digest = pack(folder, run_tag, files)
    return AuditOutcome(
        run_tag=run_tag,
        folder=folder,
        verdict=verdict,
        results=results,
        counts=table_counts,
        counts_error=counts_error,
        zip_path=zip_path,
        sha256=digest,
        report_md=report_md,
        files=files,
    )


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # noqa: BLE001
        return "unknown"
