"""Deactivating and deleting events and shows after the data was loaded: PUT /events/{id} (is_active of the
event and of its shows) and the admin routes /__sandbox/{events|shows}/{id}/{delete|deactivate}."""

from __future__ import annotations

from datetime import datetime

import requests


def later(a, b):
    return datetime.fromisoformat(a) > datetime.fromisoformat(b)


def _live_events(wapi, min_shows=1):
    events = wapi.all_pages(
        "/events",
        {"where": [{"column": "deleted_at", "operator": "null"}, {"column": "is_active", "value": 1}]},
        per_page=100,
    )
    return [
        e
        for e in events
        if len(e["shows"]) >= min_shows and all(s["is_active"] == 1 and s["deleted_at"] is None for s in e["shows"])
    ]


def _partner_pairs(wapi):
    return {(e["event_id"], e["show_id"]) for e in wapi.ok(wapi.partners("/events/lists"))["result"]}


def _admin(sb, path, method="POST"):
    return requests.request(method, f"{sb.base_url}/__sandbox/{path}", timeout=30)


def test_put_event_deactivates_and_reactivates_the_event(wapi):
    ev = _live_events(wapi)[0]
    out = wapi.ok(wapi.rest("PUT", f"/events/{ev['id']}", {"data": {"is_active": 0}}))["data"]
    assert out["is_active"] == 0 and later(out["updated_at"], ev["updated_at"])
    assert all(s["updated_at"] == old["updated_at"] for s, old in zip(out["shows"], ev["shows"]))  # unchanged
    assert all(s["min_price"] is None for s in out["shows"])  # nothing to quote off sale
    assert wapi.ok(wapi.get(f"/events/{ev['id']}"))["data"] == out
    active = wapi.all_pages("/events", {"where": [{"column": "is_active", "value": 1}]}, per_page=100)
    assert ev["id"] not in {e["id"] for e in active}
    assert not any(pair[0] == ev["id"] for pair in _partner_pairs(wapi))
    cursor = wapi.all_pages(
        "/events", {"where": [{"column": "updated_at", "operator": ">", "value": ev["updated_at"]}]}, per_page=100
    )
    assert ev["id"] in {e["id"] for e in cursor}
    same = wapi.ok(wapi.rest("PUT", f"/events/{ev['id']}", {"data": {"is_active": 0}}))["data"]
    assert same["updated_at"] == out["updated_at"]  # nothing changed: no newer updated_at
    back = wapi.ok(wapi.rest("PUT", f"/events/{ev['id']}", {"data": {"is_active": 1}}))["data"]
    assert back["is_active"] == 1 and later(back["updated_at"], out["updated_at"])
    assert all(s["min_price"] is not None for s in back["shows"])


def test_put_event_deactivates_one_show(wapi, own_sandbox):
    ev = next(e for e in _live_events(wapi, 2))
    show, other = ev["shows"][0], ev["shows"][1]
    out = wapi.ok(wapi.rest("PUT", f"/events/{ev['id']}", {"data": {"shows": [{"id": show["id"], "is_active": 0}]}}))
    shows = {s["id"]: s for s in out["data"]["shows"]}
    assert shows[show["id"]]["is_active"] == 0 and later(shows[show["id"]]["updated_at"], show["updated_at"])
    assert shows[other["id"]] == other  # untouched
    assert later(out["data"]["updated_at"], ev["updated_at"])
    assert shows[show["id"]]["min_price"] is None and shows[other["id"]]["min_price"] is not None
    assert (ev["id"], show["id"]) not in _partner_pairs(wapi)
    exported = next(e for e in own_sandbox.export("events") if e["id"] == ev["id"])
    assert exported == out["data"]
    back = wapi.ok(wapi.rest("PUT", f"/events/{ev['id']}", {"data": {"shows": [{"id": show["id"], "is_active": 1}]}}))
    assert next(s for s in back["data"]["shows"] if s["id"] == show["id"])["is_active"] == 1


def test_admin_delete_an_event(wapi, own_sandbox):
    ev = _live_events(wapi)[-1]
    before = own_sandbox.stats()
    total = wapi.ok(wapi.get("/events"))["paging"]["total"]
    resp = _admin(own_sandbox, f"events/{ev['id']}/delete")
    assert resp.status_code == 200
    body = resp.json()
    assert body["changed"] is True and body["event"]["deleted_at"] == own_sandbox.stats()["clock"]
    assert body["event"]["updated_at"] == body["event"]["deleted_at"]
    assert all(s["deleted_at"] is None for s in body["event"]["shows"])  # no cascade
    listed = wapi.ok(wapi.get(f"/events/{ev['id']}"))["data"]
    assert listed == body["event"] and wapi.ok(wapi.get("/events"))["paging"]["total"] == total
    live = wapi.all_pages("/events", {"where": [{"column": "deleted_at", "operator": "null"}]}, per_page=100)
    assert ev["id"] not in {e["id"] for e in live} and len(live) < total
    assert next(e for e in own_sandbox.export("events") if e["id"] == ev["id"])["deleted_at"] is not None
    assert not any(pair[0] == ev["id"] for pair in _partner_pairs(wapi))
    again = _admin(own_sandbox, f"events/{ev['id']}/delete").json()
    assert again["changed"] is False and again["event"]["deleted_at"] == body["event"]["deleted_at"]
    after = own_sandbox.stats()
    assert after["events"] == before["events"] and after["orders"] == before["orders"]
    show_id = ev["shows"][0]["id"]
    assert wapi.get(f"/shows/{show_id}/seats", {"flat": True}).status_code == 200  # still answering
    assert wapi.get(f"/shows/{show_id}/barcodes").status_code == 200
    summary = own_sandbox.advance(600)
    orders = wapi.all_pages(
        "/orders", {"where": [{"column": "id", "operator": "in", "value": summary["created_order_ids"]}]}
    )
    assert ev["id"] not in {o["event_id"] for o in orders}  # no new sales on a deleted event


def test_admin_delete_and_deactivate_a_show(wapi, own_sandbox):
    ev = _live_events(wapi, 2)[-1]
    show = ev["shows"][-1]
    pairs = _partner_pairs(wapi)
    body = _admin(own_sandbox, f"shows/{show['id']}/deactivate").json()
    assert body["changed"] is True and body["event_id"] == ev["id"] and body["show"]["is_active"] == 0
    assert later(body["show"]["updated_at"], show["updated_at"]) and body["show"]["min_price"] is None
    now = wapi.ok(wapi.get(f"/events/{ev['id']}"))["data"]
    assert later(now["updated_at"], ev["updated_at"])
    assert _admin(own_sandbox, f"shows/{show['id']}/deactivate").json()["changed"] is False
    deleted = _admin(own_sandbox, f"shows/{show['id']}/delete").json()
    assert deleted["changed"] is True and deleted["show"]["deleted_at"] == deleted["show"]["updated_at"]
    now = wapi.ok(wapi.get(f"/events/{ev['id']}"))["data"]
    assert next(s for s in now["shows"] if s["id"] == show["id"]) == deleted["show"]
    assert now["deleted_at"] is None and now["updated_at"] == deleted["show"]["updated_at"]
    assert (ev["id"], show["id"]) not in _partner_pairs(wapi) and _partner_pairs(wapi) <= pairs
    for path in (f"/shows/{show['id']}/seats", f"/shows/{show['id']}/barcodes"):
        assert wapi.get(path, {"flat": True}).status_code == 200
    found = wapi.ok(wapi.partners(f"/tickets/find/{ev['id']}/{show['id']}", {"filter": {}}))
    assert found["status"] == "success"
    assert own_sandbox.stats()["shows"] == len(own_sandbox.export("seats"))


def test_admin_routes_errors(own_sandbox):
    assert _admin(own_sandbox, "events/999999/delete").status_code == 404
    assert _admin(own_sandbox, "shows/abc/deactivate").status_code == 404
    assert _admin(own_sandbox, "events/1/delete", method="GET").status_code == 404
    assert _admin(own_sandbox, "events/1/archive").status_code == 404
