"""Run the plan's cases against the configured API through the platform's client (raw_request).

Read cases always run. Write cases run only when the write policy allows them; otherwise they are recorded
"not executed: writes disabled" — never as passed. Every request and answer is masked (privacy.py) and
token-redacted before it is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qtickets_assets.audit import expectations as ex
from qtickets_assets.audit.plan import Case, Plan, UnresolvedPlaceholder, resolve
from qtickets_assets.audit.verdict import EXPECTED_ERROR, FAILED, NOT_EXECUTED, PASSED, WRITES_DISABLED, CaseResult
from qtickets_assets.json_paths import dig
from qtickets_assets.privacy import mask_payload, mask_text, redact_secrets
from qtickets_assets.qtickets.client.transport import header_value

TEXT_EXCERPT = 600  # characters of a non-JSON answer kept (the HTML 404 page is ~40 KB)


class Prober:
    """Sends one request and turns the answer into masked, secret-free facts."""

    def __init__(self, client, secrets: tuple[str, ...]):
        self.client = client
        self.secrets = tuple(s for s in secrets if s)

    def clean(self, obj: Any) -> Any:
        """Mask personal data, then redact every secret in every string (a token echoed back included)."""
        masked = mask_payload(obj) if not isinstance(obj, str) else mask_text(obj)
        return _redact_deep(masked, self.secrets)

    def url(self, api: str, path: str) -> str:
        return redact_secrets(f"{self.client.base[api]}/{path.lstrip('/')}", self.secrets)

    def send(self, api: str, method: str, path: str, body: Any, token: str | None):
        raw = self.client.raw_request(api, method, path, body, token=token)
        answer = ex.Answer(
            status=raw.status,
            content_type=header_value(raw.headers, "Content-Type") or "",
            json=raw.json,
            text=raw.text or "",
            error=raw.error,
        )
        return raw, answer

    def keep_response(self, answer: ex.Answer) -> Any:
        if answer.json is not None:
            return self.clean(answer.json)
        return self.clean((answer.text or "")[:TEXT_EXCERPT])


def _redact_deep(obj: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(obj, str):
        return redact_secrets(obj, secrets)
    if isinstance(obj, dict):
        return {redact_secrets(str(k), secrets): _redact_deep(v, secrets) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_redact_deep(v, secrets) for v in obj]
    return obj


def answer_code(answer: ex.Answer) -> str | None:
    return answer.json.get("code") if isinstance(answer.json, dict) else None


def _token_for(case: Case, plan: Plan, rest_token: str) -> str | None:
    if case.auth == "invalid":
        return plan.invalid_token
    if case.auth == "rest_token":
        return rest_token
    return None


def run_case(
    case: Case,
    plan: Plan,
    prober: Prober,
    values: dict[str, Any],
    writes_enabled: bool,
    writes_reason: str,
    rest_token: str,
    discovery_problem: str | None = None,
) -> CaseResult:
    res = CaseResult(
        id=case.id,
        title=case.title,
        api=case.api,
        method=case.method,
        path=case.path,
        spec_ref=case.spec_ref,
        writes=case.writes,
        auth=case.auth,
        expected=ex.describe_expect(case.expect),
        result=NOT_EXECUTED,
        staging_table=case.staging_table,
        addition=case.addition,
        mapping_note=case.mapping_note,
        original=case.original,
    )
    if case.writes and not writes_enabled:
        res.reason = writes_reason
        return res
    try:
        path = resolve(case.path, values)
        body = resolve(case.body, values)
        expect = resolve(case.expect, values)
    except UnresolvedPlaceholder as err:
        why = discovery_problem or "discovery found no suitable data, or the case that provides it did not run"
        res.reason = f"{err} ({why})"
        return res
    res.path, res.url, res.request_body = path, prober.url(case.api, path), prober.clean(body)
    res.expected = ex.describe_expect(expect)
    try:
        raw, answer = prober.send(case.api, case.method, path, body, _token_for(case, plan, rest_token))
    except Exception as err:  # noqa: BLE001 - WritesDisabled from the client, or a bug: recorded, not raised
        if type(err).__name__ == "WritesDisabled":
            res.reason = f"{WRITES_DISABLED} (the client refused: allow_writes is False)"
        else:
            res.result, res.reason = FAILED, f"client error: {redact_secrets(str(err), prober.secrets)}"
        return res
    res.status, res.code, res.latency_ms, res.retries = answer.status, answer_code(answer), raw.latency_ms, raw.retries
    res.error = raw.error
    res.actual = ex.describe_answer(answer)
    res.response = prober.keep_response(answer)
    found, matched = ex.problems(expect, answer)
    if found:
        res.result, res.reason = FAILED, "; ".join(found)
    else:
        res.result = EXPECTED_ERROR if ex.is_error_expectation(matched) else PASSED
        if "any_of" in expect:
            res.reason = f"seen: {ex.describe_expect(matched)}"
    for name, dotted in case.capture.items():
        try:
            values[name] = dig(answer.json, dotted)
            res.captured[name] = values[name]
        except (KeyError, IndexError, TypeError):
            res.reason = (res.reason + "; " if res.reason else "") + f"could not capture {name} from {dotted}"
    return res


def run_plan(
    plan: Plan,
    prober: Prober,
    values: dict[str, Any],
    writes_enabled: bool,
    writes_reason: str,
    rest_token: str,
    on_result: Callable[[CaseResult], None] | None = None,
    discovery_problem: str | None = None,
) -> list[CaseResult]:
    """Cases run in plan order: later cases may use values captured by earlier ones (6.3 → 6.4)."""
    out = []
    for case in plan.cases:
        res = run_case(case, plan, prober, values, writes_enabled, writes_reason, rest_token, discovery_problem)
        out.append(res)
        if on_result:
            on_result(res)
    return out
