"""Payload modes for data-quality tests: drop, retype, add a field, hostile strings — in the API and /export."""

from __future__ import annotations

import json

import pytest
import requests


@pytest.fixture(autouse=True)
def reset_modes(own_sandbox):
    yield
    own_sandbox.set_payload_mode("*", "none")


def test_drop_field_in_lists_single_objects_and_export(wapi, own_sandbox):
    own_sandbox.set_payload_mode("orders", "drop_field", "payed_at")
    page = wapi.ok(wapi.get("/orders", {"perPage": 20}))["data"]
    assert all("payed_at" not in o for o in page)
    assert "payed_at" not in wapi.ok(wapi.get(f"/orders/{page[0]['id']}"))["data"]
    assert all("payed_at" not in o for o in own_sandbox.export("orders"))
    own_sandbox.set_payload_mode("orders", "drop_field", "baskets.barcode")
    assert all("barcode" not in b for o in wapi.ok(wapi.get("/orders"))["data"] for b in o["baskets"])
    own_sandbox.set_payload_mode("orders", "none")
    assert "payed_at" in wapi.ok(wapi.get("/orders", {"perPage": 1}))["data"][0]


def test_retype_and_add_field(wapi, own_sandbox):
    own_sandbox.set_payload_mode("events", "retype_field", "id")
    assert all(e["id"] == "abc" for e in wapi.ok(wapi.get("/events"))["data"])
    own_sandbox.set_payload_mode("clients", "retype_field", "email")
    assert all(c["email"] == 12345 for c in wapi.ok(wapi.get("/clients"))["data"])
    own_sandbox.set_payload_mode("discounts", "add_field", "surprise")
    assert all(d["surprise"] == "sandbox-extra" for d in wapi.ok(wapi.get("/discounts"))["data"])
    assert all(d["surprise"] == "sandbox-extra" for d in own_sandbox.export("discounts"))


def test_hostile_strings(wapi, own_sandbox):
    own_sandbox.set_payload_mode("clients", "hostile_strings")
    resp = wapi.get("/clients", {"perPage": 100})
    assert resp.status_code == 200
    assert "\\udcff" in resp.text  # a lone surrogate, escaped in the JSON text
    clients = json.loads(resp.text)["data"]
    values = [c["email"] for c in clients] + [c["details"]["name"] for c in clients]
    assert any("DROP TABLE" in v for v in values if isinstance(v, str))
    assert any("\n" in v for v in values if isinstance(v, str))
    assert any(len(v) >= 200_000 for c in clients for v in (c["email"], c["details"]["name"]) if isinstance(v, str))
    assert wapi.ok(wapi.get("/clients", {"perPage": 100}))["data"] == clients  # deterministic
    own_sandbox.set_payload_mode("orders", "hostile_strings")
    o = wapi.ok(wapi.get("/orders", {"perPage": 1}))["data"][0]
    assert o["created_at"].endswith("+03:00")  # ISO dates stay dates


def test_modes_on_seats_barcodes_and_partner_resources(wapi, own_sandbox):
    show_id = own_sandbox.export("events")[0]["shows"][0]["id"]
    own_sandbox.set_payload_mode("seats", "drop_field", "free_quantity")
    seats = wapi.ok(wapi.get(f"/shows/{show_id}/seats", {"flat": True}))["data"]
    assert all("free_quantity" not in s for s in seats.values())
    own_sandbox.set_payload_mode("partner_events", "add_field", "extra")
    assert all(e["extra"] == "sandbox-extra" for e in wapi.ok(wapi.partners("/events/lists"))["result"])
    own_sandbox.set_payload_mode("partner_tickets", "retype_field", "paid")
    assert all(t["paid"] == "abc" for t in own_sandbox.export("partner_tickets"))


def test_invalid_mode_requests(own_sandbox):
    url = own_sandbox.base_url + "/__sandbox/payload-mode"
    assert requests.post(url, json={"resource": "orders", "mode": "explode"}, timeout=5).status_code == 400
    assert requests.post(url, json={"resource": "orders", "mode": "drop_field"}, timeout=5).status_code == 400
    assert requests.post(url, json={"resource": "nope", "mode": "hostile_strings"}, timeout=5).status_code == 400
