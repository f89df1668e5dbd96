"""Fault injection: each kind at rate 1.0, a faulted write changes nothing, the `down` switch, counters."""

from __future__ import annotations

import time

import pytest
import requests


@pytest.fixture(autouse=True)
def reset_faults(own_sandbox):
    yield
    own_sandbox.set_faults(
        rate=0.0, kinds=["429", "503", "timeout", "reset", "truncated"], stall_seconds=10, down=False
    )


def test_429_with_retry_after(wapi, own_sandbox):
    own_sandbox.set_faults(rate=1.0, kinds=["429"], retry_after=2)
    resp = wapi.get("/events")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "2"
    assert resp.json()["status"] == 429 and resp.json()["code"]
    assert wapi.ok(wapi.partners("/events/lists"), 429)["status"] == 429


def test_503_unknown_error(wapi, own_sandbox):
    own_sandbox.set_faults(rate=1.0, kinds=["503"])
    resp = wapi.get("/orders")
    assert resp.status_code == 503
    assert resp.json() == {"error": "Unknown error", "status": 503, "code": "UNKNOWN_ERROR", "info": []}


def test_timeout_stalls_then_answers_a_read(wapi, own_sandbox):
    own_sandbox.set_faults(rate=1.0, kinds=["timeout"], stall_seconds=0.6)
    started = time.monotonic()
    resp = wapi.get("/color-themes")
    assert time.monotonic() - started >= 0.6 and resp.status_code == 200
    with pytest.raises(requests.exceptions.ReadTimeout):
        wapi.http.get(
            own_sandbox.rest_url + "/color-themes",
            timeout=0.2,
            headers={"Authorization": f"Bearer {own_sandbox.token}"},
        )


def test_reset_closes_without_response(wapi, own_sandbox):
    own_sandbox.set_faults(rate=1.0, kinds=["reset"])
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(
            own_sandbox.rest_url + "/events", headers={"Authorization": f"Bearer {own_sandbox.token}"}, timeout=5
        )


def test_truncated_body(own_sandbox):
    own_sandbox.set_faults(rate=1.0, kinds=["truncated"])
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(
            own_sandbox.rest_url + "/orders", headers={"Authorization": f"Bearer {own_sandbox.token}"}, timeout=5
        )


@pytest.mark.parametrize("kind", ["429", "503", "timeout", "reset", "truncated"])
def test_a_faulted_write_changes_nothing(wapi, own_sandbox, kind):
    before = own_sandbox.stats()
    own_sandbox.set_faults(rate=1.0, kinds=[kind], stall_seconds=0.2)
    email = f"fault-{kind}@example.com"
    try:
        resp = wapi.rest("POST", "/clients", {"data": {"email": email}}, timeout=5)
        assert resp.status_code != 200
    except requests.exceptions.RequestException:
        pass
    own_sandbox.set_faults(rate=0.0)
    after = own_sandbox.stats()
    assert after["clients"] == before["clients"] and after["clock"] == before["clock"]
    assert after["faults_injected"][kind] == before["faults_injected"][kind] + 1
    assert not any(c["email"] == email for c in own_sandbox.export("clients"))


def test_down_switch_and_admin_routes_unaffected(wapi, own_sandbox):
    own_sandbox.set_faults(down=True)
    assert own_sandbox.faults()["down"] is True
    assert all(wapi.get("/events").status_code == 503 for _ in range(3))
    assert wapi.partners("/events/lists").status_code == 503
    assert own_sandbox.stats()["faults_injected"]["down"] >= 4
    own_sandbox.set_faults(down=False)
    assert wapi.get("/events").status_code == 200


def test_fault_rate_is_roughly_the_configured_share(wapi, own_sandbox):
    own_sandbox.set_faults(rate=0.3, kinds=["503"])
    codes = [wapi.get("/color-themes").status_code for _ in range(200)]
    assert 30 <= codes.count(503) <= 90 and set(codes) == {200, 503}


def test_bad_fault_config_is_rejected(own_sandbox):
    resp = requests.post(own_sandbox.base_url + "/__sandbox/faults", json={"rate": 2}, timeout=5)
    assert resp.status_code == 400
    resp = requests.post(own_sandbox.base_url + "/__sandbox/faults", json={"kinds": ["boom"]}, timeout=5)
    assert resp.status_code == 400
