"""Partners API: all 9 methods, HTTP 200 always, envelopes and codes, ticket life cycle, batches, find
filters, last_update_hash, and consistency with the REST seats and barcodes."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def entry(wapi):
    """An upcoming single-show partner event... or any entry (show_id is then passed explicitly)."""
    result = wapi.ok(wapi.partners("/events/lists"))["result"]
    return result[0]


def free_seats(wapi, entry, n=3, admission=False):
    offers = wapi.ok(wapi.partners(f"/events/offers/{entry['event_id']}/{entry['show_id']}"))["result"]["offers"]
    seatmap = wapi.ok(wapi.partners(f"/events/seatmap/{entry['event_id']}/{entry['show_id']}"))["result"]["seatmap"]
    adm = {sid for z in seatmap["zones"].values() for sid, s in z["seats"].items() if s.get("admission")}
    return [sid for sid, s in offers["full"]["seats"].items() if s["available"] and (sid in adm) == admission][:n]


def url(kind, entry):
    return f"/tickets/{kind}/{entry['event_id']}/{entry['show_id']}"


def test_events_lists_entries(wapi, own_sandbox):
    body = wapi.ok(wapi.partners("/events/lists", method="GET"))
    assert body["status"] == "success" and body["result"]
    e = body["result"][0]
    for key in (
        "event_id",
        "show_id",
        "event_name",
        "start_date",
        "finish_date",
        "scheme",
        "city",
        "event_type",
        "age",
        "fanid_required",
        "has_document_verification",
        "integrations",
        "last_update_hash",
    ):
        assert key in e
    assert re.fullmatch(r"[0-9a-f]{40}", e["last_update_hash"]) and "coords" in e["city"]
    assert body["result"] == own_sandbox.export("partner_events")


def test_get_equals_post_and_errors_are_http_200(wapi, entry):
    path = f"/events/seatmap/{entry['event_id']}/{entry['show_id']}"
    assert wapi.partners(path, method="GET").json() == wapi.partners(path, method="POST").json()
    bad = wapi.partners("/events/lists", token="sandbox-token")
    assert bad.status_code == 200
    assert bad.json() == {"status": "error", "code": "WRONG_AUTHORIZATION", "message": "Wrong authorization"}
    assert wapi.partners("/events/lists", token=None).json()["code"] == "WRONG_AUTHORIZATION"
    missing = wapi.partners("/events/offers/999999")
    assert missing.status_code == 200 and missing.json()["code"] == "EVENT_NOT_FOUND"
    assert wapi.partners("/events/unknown/1").status_code == 404


def test_seatmap_offers_and_deprecated_seats(wapi, entry):
    path = f"{entry['event_id']}/{entry['show_id']}"
    seatmap = wapi.ok(wapi.partners(f"/events/seatmap/{path}"))
    for key in ("event_id", "show_id", "event_name", "scheme", "city", "last_update_hash"):
        assert key in seatmap
    zones = seatmap["result"]["seatmap"]["zones"]
    seat = next(iter(next(iter(zones.values()))["seats"].values()))
    assert isinstance(seat["row"], int) and len(seat["coords"]) == 2
    offers = wapi.ok(wapi.partners(f"/events/offers/{path}"))["result"]["offers"]
    assert "full" in offers and offers["full"]["name"] == "Полный"
    legacy = wapi.ok(wapi.partners(f"/events/seats/{path}"))["result"]["zones"]
    assert {z["zone_id"] for z in legacy} == set(zones)
    n_seats = sum(len(z["seats"]) for z in legacy)
    rest_seats = wapi.ok(wapi.get(f"/shows/{entry['show_id']}/seats", {"flat": True}))["data"]
    assert n_seats == len(rest_seats)


def test_ticket_life_cycle_hold_pay_find_remove(wapi, own_sandbox, entry):
    seat_id = free_seats(wapi, entry, 1)[0]
    before_hash = entry["last_update_hash"]
    add = wapi.ok(
        wapi.partners(
            url("add", entry),
            {
                "seat_id": seat_id,
                "offer_id": "full",
                "external_id": "ext-lc-1",
                "external_order_id": "order67890",
                "reserved_to": "2026-11-08T19:00:00+03:00",
                "price": 1500.5,
                "client_email": "p@example.net",
            },
        )
    )
    t = add["result"]
    assert add["status"] == "success" and isinstance(t["id"], str) and t["paid"] == 0 and t["barcode"] is None
    assert add["last_update_hash"] != before_hash
    show_seat = next(
        s
        for s in wapi.ok(wapi.get(f"/shows/{entry['show_id']}/seats", {"flat": True}))["data"].values()
        if s["root_id"] == seat_id
    )
    assert show_seat["ordered_quantity"] >= 1 and show_seat["payed_quantity"] == 0
    again = wapi.ok(wapi.partners(url("add", entry), {"seat_id": seat_id, "paid": 1}))
    if show_seat["max_quantity"] == 1:
        assert again["code"] == "SEAT_NOT_AVAILABLE"
    upd = wapi.ok(
        wapi.partners(
            url("update", entry),
            {"id": int(t["id"]), "paid": 1, "paid_at": "2026-11-01T12:05:00+03:00", "client_phone": "+79001112233"},
        )
    )["result"]
    assert upd["paid"] == 1 and re.fullmatch(r"\d{12}", upd["barcode"]) and upd["client_phone"] == "+79001112233"
    assert upd["barcode"] in {i["barcode"] for i in wapi.ok(wapi.get(f"/shows/{entry['show_id']}/barcodes"))}
    found = wapi.ok(wapi.partners("/tickets/find", {"filter": {"external_order_id": "order67890"}}))
    assert [x["id"] for x in found["result"]] == [int(t["id"])] and found["result"][0]["deleted"] == 0
    assert "event_id" not in found
    by_barcode = wapi.ok(wapi.partners(f"/tickets/find/{entry['event_id']}", {"filter": {"barcode": upd["barcode"]}}))
    assert len(by_barcode["result"]) == 1
    removed = wapi.ok(wapi.partners(url("remove", entry), {"external_id": "ext-lc-1"}))
    assert removed["result"] is True and "last_update_hash" in removed
    gone = wapi.ok(
        wapi.partners(f"/tickets/find/{entry['event_id']}/{entry['show_id']}", {"filter": {"id": [t["id"]]}})
    )["result"]
    assert gone[0]["deleted"] == 1
    assert upd["barcode"] not in {i["barcode"] for i in wapi.ok(wapi.get(f"/shows/{entry['show_id']}/barcodes"))}
    assert wapi.ok(wapi.partners(url("remove", entry), {"id": t["id"]}))["code"] == "TICKET_NOT_FOUND"
    assert wapi.ok(wapi.partners(url("update", entry), {"id": 1, "paid": 1}))["code"] == "TICKET_NOT_FOUND"
    assert any(x["id"] == int(t["id"]) and x["deleted"] == 1 for x in own_sandbox.export("partner_tickets"))


def test_batches_check_and_form_parameters(wapi, entry):
    seats = free_seats(wapi, entry, 3)
    batch = [
        {"seat_id": s, "offer_id": "full", "external_id": f"ext-b-{i}", "external_order_id": "batch-1", "paid": 1}
        for i, s in enumerate(seats[:2])
    ]
    added = wapi.ok(wapi.partners(url("add", entry), {"batch": batch}))["result"]
    assert [a["seat_id"] for a in added] == seats[:2] and all(isinstance(a["id"], int) and a["barcode"] for a in added)
    check = wapi.ok(
        wapi.partners(
            url("check", entry),
            {"batch": [{"seat_id": seats[0], "offer_id": "full"}, {"seat_id": seats[2], "offer_id": "full"}]},
        )
    )
    assert [c["available"] for c in check["result"]] == [False, True]
    assert isinstance(check["result"][0]["row"], int) and check["result"][0]["currency_id"] == "RUB"
    single = wapi.ok(wapi.partners(url("check", entry), {"seat_id": seats[2], "offer_id": None}))["result"]
    assert single["seat_id"] == seats[2]
    # all-or-nothing: a batch with one taken seat adds nothing
    stats_before = wapi.sb.stats()["partner_tickets"]
    failed = wapi.ok(
        wapi.partners(
            url("add", entry), {"batch": [{"seat_id": seats[2], "paid": 1}, {"seat_id": seats[0], "paid": 1}]}
        )
    )
    assert failed["status"] == "error" and wapi.sb.stats()["partner_tickets"] == stats_before
    # PHP-style form parameters
    form = wapi.http.post(
        wapi.sb.partners_url + url("add", entry),
        data={"batch[0][seat_id]": seats[2], "batch[0][paid]": "1", "batch[0][offer_id]": "full"},
        headers={"Authorization": f"Bearer {wapi.sb.partners_token}"},
        timeout=30,
    ).json()
    assert form["status"] == "success" and form["result"][0]["seat_id"] == seats[2]
    ids = [a["id"] for a in added]
    found = wapi.ok(wapi.partners("/tickets/find", {"filter": {"external_order_id": "batch-1", "id": ids}}))["result"]
    assert sorted(x["id"] for x in found) == sorted(ids)
    none = wapi.ok(wapi.partners("/tickets/find", {"filter": {"external_order_id": "batch-1", "id": ["1"]}}))
    assert none["result"] == []  # keys combine with AND
    upd = wapi.ok(
        wapi.partners(url("update", entry), {"batch": [{"id": i, "external_order_id": "batch-2"} for i in ids]})
    )["result"]
    assert [u["external_order_id"] for u in upd] == ["batch-2", "batch-2"]
    assert wapi.ok(wapi.partners(url("remove", entry), {"batch": [{"id": i} for i in ids]}))["result"] is True


def test_find_without_filter_and_validation_codes(wapi, own_sandbox, entry):
    all_event = wapi.ok(wapi.partners(f"/tickets/find/{entry['event_id']}"))["result"]
    exported = list(own_sandbox.export("partner_tickets"))
    event_tickets = {t["id"] for t in exported} & {t["id"] for t in all_event}
    assert all_event and len(event_tickets) == len(all_event)
    assert wapi.ok(wapi.partners("/tickets/find"))["code"] == "VALIDATION_ERROR"
    assert wapi.ok(wapi.partners("/tickets/find", {"filter": {"color": "red"}}))["code"] == "VALIDATION_ERROR"
    assert wapi.ok(wapi.partners(url("add", entry), {"seat_id": "NOPE-1;1", "paid": 1}))["code"] == "SEAT_NOT_FOUND"
    seat = free_seats(wapi, entry, 1)[0]
    assert wapi.ok(wapi.partners(url("add", entry), {"seat_id": seat}))["code"] == "VALIDATION_ERROR"
    assert (
        wapi.ok(wapi.partners(url("add", entry), {"seat_id": seat, "offer_id": "vip", "paid": 1}))["code"]
        == "VALIDATION_ERROR"
    )
    assert (
        wapi.ok(wapi.partners(f"/tickets/add/{entry['event_id']}/1", {"seat_id": seat, "paid": 1}))["code"]
        == "EVENT_NOT_FOUND"
    )


def test_hold_expires_when_the_clock_passes_reserved_to(wapi, own_sandbox, entry):
    seat = free_seats(wapi, entry, 1)[0]
    t = wapi.ok(wapi.partners(url("add", entry), {"seat_id": seat, "reserved_to": "2026-11-01T13:00:00+03:00"}))
    assert t["status"] == "success", t
    summary = own_sandbox.advance(120)
    assert summary["partner_holds_expired"] >= 1
    found = wapi.ok(wapi.partners("/tickets/find", {"filter": {"id": t["result"]["id"]}}))["result"]
    assert found[0]["deleted"] == 1
