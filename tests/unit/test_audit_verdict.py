"""The write policy and the verdict are derived from measured results only (pure)."""

from qtickets_assets.audit.verdict import (
    EXPECTED_ERROR,
    FAILED,
    NON_SANDBOX_OVERRIDE,
    NOT_EXECUTED,
    PASSED,
    CaseResult,
    derive_verdict,
    totals,
    writes_decision,
)

SANDBOX = ["http://127.0.0.1:8765/api/rest/v1", "http://127.0.0.1:8765/api/partners/v1"]
PROD = ["https://qtickets.ru/api/rest/v1", "https://qtickets.ru/api/partners/v1"]


def case(cid, result, *, api="rest", status=200, code=None, auth="configured", reason=""):
    return CaseResult(
        id=cid,
        title=cid,
        api=api,
        method="GET",
        path="/x",
        spec_ref="s",
        writes=False,
        auth=auth,
        expected="200",
        result=result,
        status=status,
        code=code,
        reason=reason,
    )


def test_writes_run_only_when_requested_and_the_target_is_the_sandbox():
    # the default: not requested, whatever the target (a loopback URL may be a tunnel to a real account)
    for identified in (False, True):
        enabled, reason = writes_decision(False, SANDBOX, identified_as_sandbox=identified)
        assert not enabled and reason.startswith("writes disabled (not requested")
    assert writes_decision(True, SANDBOX, identified_as_sandbox=True)[0] is True
    enabled, reason = writes_decision(True, SANDBOX, identified_as_sandbox=False)
    assert (
        not enabled and "did not identify itself as the qtickets sandbox" in reason and NON_SANDBOX_OVERRIDE in reason
    )
    enabled, reason = writes_decision(True, ["https://test.example.org/api/rest/v1"], override=True)
    assert enabled and "did NOT identify" in reason
    assert not writes_decision(False, SANDBOX, override=True)[0]  # the override alone requests nothing


def test_production_never_gets_writes():
    for identified in (False, True):
        enabled, reason = writes_decision(True, PROD, identified_as_sandbox=identified, override=True)
        assert not enabled and "production" in reason
    assert not writes_decision(True, ["https://api.qtickets.ru/x", SANDBOX[0]], True, True)[0]


def test_all_matching_is_passed():
    v = derive_verdict([case("1.1", PASSED), case("7.2", EXPECTED_ERROR, status=404)])
    assert v.status == "PASSED" and v.text == "PASSED: all 2 cases matched the plan"
    assert v.text_ru.startswith("ПРОЙДЕН")


def test_writes_disabled_is_a_limitation_never_a_pass():
    v = derive_verdict([case("1.1", PASSED), case("1.7", NOT_EXECUTED, reason="writes disabled (x)")])
    assert v.status == "PASSED WITH LIMITATIONS"
    assert "1 write cases not executed (writes disabled)" in v.text


def test_failure_names_the_cases():
    v = derive_verdict([case("1.1", PASSED), case("3.6", FAILED, status=404), case("4.1", FAILED, status=404)])
    assert v.status == "FAILED" and "2 of 3 executed cases did not match the plan (3.6, 4.1)" in v.text


def test_wrong_configured_token_is_named():
    results = [
        case("1.1", FAILED, status=403, code="WRONG_AUTHORIZATION"),
        case("7.1", EXPECTED_ERROR, status=403, code="WRONG_AUTHORIZATION", auth="invalid"),
    ]
    v = derive_verdict(results)
    assert v.text == ("FAILED: the API rejected the configured token (403 WRONG_AUTHORIZATION) — check QTICKETS_TOKEN")
    assert "QTICKETS_TOKEN" in v.text_ru
    # 7.1's deliberate invalid token alone does not mean the configured one is wrong
    assert (
        derive_verdict([case("7.1", EXPECTED_ERROR, status=403, code="WRONG_AUTHORIZATION", auth="invalid")]).status
        == "PASSED"
    )


def test_wrong_partner_key_and_counts_error():
    v = derive_verdict([case("x.5", FAILED, api="partners", code="WRONG_AUTHORIZATION")], counts_error="down")
    assert "check QTICKETS_PARTNERS_TOKEN" in v.text and "ClickHouse counts could not be read (down)" in v.text


def test_unreachable_api():
    v = derive_verdict(
        [
            CaseResult(
                "1.1", "t", "rest", "GET", "/", "s", False, "configured", "200", FAILED, error="connection refused"
            )
        ]
    )
    assert "did not answer any request (connection refused)" in v.text


def test_totals_count_every_result():
    t = totals([case("a", PASSED), case("b", PASSED), case("c", NOT_EXECUTED)])
    assert t == {PASSED: 2, EXPECTED_ERROR: 0, FAILED: 0, NOT_EXECUTED: 1}
