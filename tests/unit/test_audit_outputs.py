"""Checksum file format, masking of everything the audit keeps, the report's sections (pure / tmp files)."""

import json
import re
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from qtickets_assets.audit.archive import pack, sha256_line
from qtickets_assets.audit.counts import TableCount, previous_counts, to_csv
from qtickets_assets.audit.probes import Prober
from qtickets_assets.audit.report import AuditFacts, render
from qtickets_assets.audit.run import JsonlLog, safe_text
from qtickets_assets.audit.verdict import NOT_EXECUTED, PASSED, CaseResult, derive_verdict

TOKEN = "tok-SECRET-123456"


def test_sha256_line_is_what_sha256sum_accepts(tmp_path):
    assert sha256_line("a" * 64, "audit_x.zip") == "a" * 64 + "  audit_x.zip\n"
    with pytest.raises(ValueError):
        sha256_line("A" * 64, "x")
    with pytest.raises(ValueError):
        sha256_line("a" * 65, "x")  # the old reports printed "hashes" longer than SHA-256
    (tmp_path / "report.md").write_text("r")
    (tmp_path / "responses").mkdir()
    (tmp_path / "responses" / "1.1.json").write_text("{}")
    zip_path, digest = pack(tmp_path, "T1", ["report.md", "responses/1.1.json"])
    line = (tmp_path / "audit_T1.zip.sha256").read_text()
    assert re.fullmatch(r"[0-9a-f]{64}  audit_T1\.zip\n", line) and line.startswith(digest)
    assert zipfile.ZipFile(zip_path).namelist() == ["report.md", "responses/1.1.json"]
    done = subprocess.run(["sha256sum", "-c", "audit_T1.zip.sha256"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "audit_T1.zip: OK" in done.stdout


def test_prober_masks_personal_data_and_redacts_tokens():
    prober = Prober(client=None, secrets=(TOKEN,))
    order = {
        "id": 5,
        "client": {"email": "ivan.petrov@mail.ru", "details": {"name": "Иван", "phone": "+79101234567"}},
        "baskets": [
            {
                "client_email": "anna@yandex.ru",
                "client_phone": "+7 (915) 765-43-21",
                "client_name": "Анна",
                "barcode": "877076325904",
            }
        ],
        "payment_card_number": "5469641234569036",
        "note": f"echo Bearer {TOKEN} to olga@example.com",
    }
    text = json.dumps(prober.clean(order), ensure_ascii=False)
    for leak in (
        "ivan.petrov@mail.ru",
        "anna@yandex.ru",
        "+79101234567",
        "765-43-21",
        "Иван",
        "Анна",
        "5469641234569036",
        TOKEN,
        "olga@example.com",
    ):
        assert leak not in text, leak
    assert "877076325904" in text  # barcodes are not personal data: kept for debugging


def test_log_lines_and_text_are_masked():
    log = JsonlLog((TOKEN,))
    log.add("probe", test_id="1.1", endpoint="GET /orders", notes=f"seen petr@mail.ru +79001112233 {TOKEN}")
    row = json.loads(log.text().splitlines()[0])
    assert set(row) == {"ts", "stage", "test_id", "endpoint", "spec_ref", "status", "latency_ms", "result", "notes"}
    assert "petr@mail.ru" not in row["notes"] and "+79001112233" not in row["notes"] and TOKEN not in row["notes"]
    assert TOKEN not in safe_text(f"x {TOKEN} y", (TOKEN,))


def test_counts_csv_and_previous_audit(tmp_path):
    csv_text = to_csv(
        [TableCount("stg_qtickets_api_orders_raw", "staging", 0, 12, 10), TableCount("meta_job_runs", "meta", 3, 5)]
    )
    assert csv_text.splitlines() == [
        "table,kind,rows_before,rows_after,delta,distinct_keys",
        "stg_qtickets_api_orders_raw,staging,0,12,12,10",
        "meta_job_runs,meta,3,5,2,",
    ]
    assert previous_counts(tmp_path) == ({}, None)
    for tag, text in (
        ("20250101T000000Z", "table,kind,rows_before,rows_after,delta,distinct_keys\nt,mart,0,4,4,\n"),
        ("20250102T000000Z", "table,kind,rows_before,rows_after,delta,distinct_keys\nt,mart,4,9,5,\n"),
    ):
        (tmp_path / tag).mkdir()
        (tmp_path / tag / "clickhouse_counts.csv").write_text(text)
    assert previous_counts(tmp_path) == ({"t": 9}, "20250102T000000Z")
    assert previous_counts(tmp_path, exclude=tmp_path / "20250102T000000Z") == ({"t": 4}, "20250101T000000Z")


def test_report_has_every_section_and_a_russian_summary():
    start = datetime(2025, 11, 9, 10, 0, 0, tzinfo=UTC)
    results = [
        CaseResult(
            "1.1",
            "Orders",
            "rest",
            "GET",
            "/orders",
            "docs/qtickets_api.md#paging",
            False,
            "configured",
            "200",
            PASSED,
            status=200,
            actual="200 list of 3",
            latency_ms=12.5,
        ),
        CaseResult(
            "1.7",
            "Delete",
            "rest",
            "DELETE",
            "/orders/{DELETE_ORDER_ID}/baskets",
            "docs/qtickets_api.md#write-endpoints",
            True,
            "configured",
            "200",
            NOT_EXECUTED,
            reason="writes disabled (allow_writes=false)",
            original={"method": "DELETE", "path": "/orders/4360/baskets/63993"},
            mapping_note="not a route",
        ),
    ]
    facts = AuditFacts(
        "20251109T100000Z",
        start,
        start + timedelta(seconds=42),
        "v1",
        "plan.md",
        "abc1234",
        "http://127.0.0.1:1/api/rest/v1",
        "http://127.0.0.1:1/api/partners/v1",
        {"Python": "3.11"},
        False,
        "writes disabled (allow_writes=false)",
        "Europe/Moscow",
        derive_verdict(results),
        results,
        [],
        ["EVENT_ID = 3"],
        [TableCount("meta_job_runs", "meta", 0, 2)],
        None,
        None,
        ["report.md", "log.jsonl"],
    )
    md = render(facts)
    for heading in (
        "## 1. Summary",
        "## 2. Methodology",
        "## 3. Test matrix",
        "## 4. ClickHouse counts",
        "## 5. Errors and retries",
        "## 6. Not executed",
        "## 7. Artifacts",
        "## 8. Итог (по-русски)",
    ):
        assert heading in md
    assert "**Verdict: PASSED WITH LIMITATIONS" in md and "ПРОЙДЕН С ОГРАНИЧЕНИЯМИ" in md
    assert "2025-11-09 13:00:00 MSK" in md  # Moscow time in the Russian section
    assert "not executed: writes disabled (allow_writes=false)" in md
    assert "`abc1234`" in md and "passed 1, expected error 0, failed 0, not executed 1" in md
    assert "| meta_job_runs | meta | 0 | 2 | +2 |" in md
