"""Case results, the write policy and the overall verdict. Pure: derived from measured results only.

The verdict is never typed by hand: it is computed from the case results (and whether ClickHouse could be
counted), in English for the summary and in Russian for the users' section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

PASSED = "passed"
FAILED = "failed"
EXPECTED_ERROR = "expected error"
NOT_EXECUTED = "not executed"
RESULTS = (PASSED, EXPECTED_ERROR, FAILED, NOT_EXECUTED)

WRITES_DISABLED = "writes disabled"
PRODUCTION_SUFFIX = "qtickets.ru"


@dataclass
class CaseResult:
    id: str
    title: str
    api: str
    method: str
    path: str  # resolved path (or the template when not resolved)
    spec_ref: str
    writes: bool
    auth: str
    expected: str
    result: str
    reason: str = ""  # why not executed / what did not match / which any_of outcome was seen
    url: str = ""
    request_body: Any = None  # masked
    status: int | None = None
    code: str | None = None  # REST error code or Partners code of the answer
    actual: str = ""
    latency_ms: float | None = None
    retries: int = 0
    error: str | None = None
    response: Any = None  # masked JSON, or a masked text excerpt
    staging_table: str | None = None
    addition: bool = False
    mapping_note: str | None = None
    original: dict | None = None
    captured: dict = field(default_factory=dict)

    @property
    def result_text(self) -> str:
        return f"{self.result}: {self.reason}" if self.reason else self.result


@dataclass(frozen=True)
class Verdict:
    status: str  # PASSED | PASSED WITH LIMITATIONS | FAILED
    text: str  # one English sentence, starts with the status
    text_ru: str


# The loudly named escape hatch: write cases against an API that does not identify itself as the sandbox.
# Meant for a dedicated, non-production test account reached through a proxy; never for an organiser's account.
NON_SANDBOX_OVERRIDE = "QTICKETS_AUDIT_WRITES_TO_NON_SANDBOX_API"


def is_production(base_url: str) -> bool:
    host = (urlparse(base_url).hostname or "").lower()
    return host == PRODUCTION_SUFFIX or host.endswith("." + PRODUCTION_SUFFIX)


def writes_decision(
    requested: bool, base_urls: list[str], identified_as_sandbox: bool = False, override: bool = False
) -> tuple[bool, str]:
    """Write cases run only when writes were EXPLICITLY requested (QTICKETS_ALLOW_WRITES=true or the asset's config
    allow_writes: true) AND the target identified itself as the qtickets sandbox (GET /__sandbox/health), or the
    operator set NON_SANDBOX_OVERRIDE. A loopback address proves nothing: a production API reached through an SSH
    tunnel or a local proxy is a loopback URL too. Production (qtickets.ru) is refused whatever is set."""
    if any(is_production(u) for u in base_urls if u):
        return False, f"{WRITES_DISABLED} (the target is production {PRODUCTION_SUFFIX})"
    if not requested:
        return False, f"{WRITES_DISABLED} (not requested: QTICKETS_ALLOW_WRITES / the audit's allow_writes is not true)"
    if identified_as_sandbox:
        return True, "writes enabled (requested, and the target identified itself as the qtickets sandbox)"
    if override:
        return True, (
            f"writes enabled ({NON_SANDBOX_OVERRIDE} is set: the target did NOT identify itself as the sandbox)"
        )
    return False, (
        f"{WRITES_DISABLED} (requested, but the target did not identify itself as the qtickets sandbox at "
        f"/__sandbox/health; {NON_SANDBOX_OVERRIDE}=yes allows a non-production test account)"
    )


def totals(results: list[CaseResult]) -> dict[str, int]:
    out = dict.fromkeys(RESULTS, 0)
    for res in results:
        out[res.result] = out.get(res.result, 0) + 1
    return out


def _auth_rejected(results: list[CaseResult], api: str) -> CaseResult | None:
    for r in results:
        if r.api == api and r.auth == "configured" and r.result != NOT_EXECUTED:
            if api == "rest" and r.status in (401, 403) and r.code in (None, "WRONG_AUTHORIZATION"):
                return r
            if api == "partners" and r.code == "WRONG_AUTHORIZATION":
                return r
    return None


def derive_verdict(
    results: list[CaseResult], counts_error: str | None = None, discovery: list[CaseResult] = ()
) -> Verdict:
    everything = list(discovery) + list(results)
    reasons, reasons_ru = [], []
    rest = _auth_rejected(everything, "rest")
    if rest is not None:
        reasons.append(
            f"the API rejected the configured token ({rest.status} WRONG_AUTHORIZATION) — check QTICKETS_TOKEN"
        )
        reasons_ru.append(
            f"API отклонил настроенный токен ({rest.status} WRONG_AUTHORIZATION) — проверьте QTICKETS_TOKEN"
        )
    partners = _auth_rejected(everything, "partners")
    if partners is not None:
        reasons.append(
            "the Partners API rejected the configured partner key (WRONG_AUTHORIZATION) — check QTICKETS_PARTNERS_TOKEN"
        )
        reasons_ru.append(
            "Partners API отклонил настроенный ключ партнёра (WRONG_AUTHORIZATION) — проверьте QTICKETS_PARTNERS_TOKEN"
        )
    executed = [r for r in results if r.result != NOT_EXECUTED]
    unanswered = [r for r in executed if r.status is None]
    if executed and len(unanswered) == len(executed):
        reasons.append(f"the API did not answer any request ({unanswered[0].error}) — check QTICKETS_BASE_URL")
        reasons_ru.append(f"API не ответил ни на один запрос ({unanswered[0].error}) — проверьте QTICKETS_BASE_URL")
    failed = [r for r in results if r.result == FAILED]
    if failed and not reasons:
        ids = ", ".join(r.id for r in failed)
        reasons.append(f"{len(failed)} of {len(executed)} executed cases did not match the plan ({ids})")
        reasons_ru.append(f"{len(failed)} из {len(executed)} выполненных проверок не совпали с планом ({ids})")
    if counts_error:
        reasons.append(f"ClickHouse counts could not be read ({counts_error})")
        reasons_ru.append(f"не удалось получить счётчики ClickHouse ({counts_error})")
    if reasons:
        return Verdict("FAILED", "FAILED: " + "; ".join(reasons), "НЕ ПРОЙДЕН: " + "; ".join(reasons_ru))
    skipped = [r for r in results if r.result == NOT_EXECUTED]
    if skipped:
        writes_off = sum(1 for r in skipped if r.reason.startswith(WRITES_DISABLED))
        other = len(skipped) - writes_off
        detail = []
        detail_ru = []
        if writes_off:
            detail.append(f"{writes_off} write cases not executed ({WRITES_DISABLED})")
            detail_ru.append(f"{writes_off} проверок записи не выполнены (запись отключена)")
        if other:
            detail.append(f"{other} cases not executed (no suitable data found)")
            detail_ru.append(f"{other} проверок не выполнены (не найдены подходящие данные)")
        return Verdict(
            "PASSED WITH LIMITATIONS",
            f"PASSED WITH LIMITATIONS: all {len(executed)} executed cases matched the plan; " + "; ".join(detail),
            f"ПРОЙДЕН С ОГРАНИЧЕНИЯМИ: все {len(executed)} выполненных проверок совпали с планом; "
            + "; ".join(detail_ru),
        )
    if not executed:
        return Verdict("FAILED", "FAILED: no case was executed", "НЕ ПРОЙДЕН: ни одна проверка не выполнена")
    return Verdict(
        "PASSED",
        f"PASSED: all {len(executed)} cases matched the plan",
        f"ПРОЙДЕН: все {len(executed)} проверок совпали с планом",
    )
