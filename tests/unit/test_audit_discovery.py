"""Discovery's choice rules (pure): write cases get distinct orders and never the barcodes scanned later."""

from datetime import UTC, datetime

from qtickets_assets.audit.discovery import choose_from_orders, choose_partner_seats, choose_show, generated_values


def order(oid, *, payed=True, deleted=None, baskets=(), refunds=()):
    return {
        "id": oid,
        "payed": payed,
        "deleted_at": deleted,
        "event_id": 7,
        "refunds": list(refunds),
        "baskets": list(baskets),
    }


def basket(bid, barcode, show=70, deleted=None, refunded=None):
    return {"id": bid, "barcode": barcode, "show_id": show, "deleted_at": deleted, "refunded_at": refunded}


def test_order_choices_are_distinct_and_avoid_reserved_barcodes():
    paid = [
        order(1, baskets=[basket(11, "B1")]),
        order(2, baskets=[basket(21, "B2", deleted="x")]),
        order(3, baskets=[basket(31, "B3"), basket(32, "B4")]),
        order(4, baskets=[basket(41, "B5")]),
        order(5, baskets=[basket(51, "B6")]),
    ]
    unpaid = [
        order(8, payed=False, deleted="2025-01-01", refunds=[{"id": 1}]),
        order(9, payed=False, deleted="2025-01-02", baskets=[basket(91, None)]),
        order(10, payed=False),
    ]
    v = choose_from_orders(paid, unpaid, {70: ["B1", "B3"]})
    assert v["ORDER_ID"] == 1 and v["PAID_ORDER_ID"] == 1
    assert (v["DELETE_ORDER_ID"], v["DELETE_BASKET_ID"]) == (3, 32)  # B3 is reserved for scanning
    assert (v["REFUND_ORDER_ID"], v["REFUND_BASKET_ID"]) == (4, 41)
    assert (v["EDIT_ORDER_ID"], v["EDIT_BASKET_ID"]) == (5, 51) and v["BASKET_ID"] == 51
    assert v["RESTORE_ORDER_ID"] == 9  # 8 has refunds: cannot be restored


def test_nothing_suitable_leaves_placeholders_unset():
    v = choose_from_orders([], [order(10, payed=False)])
    assert v.get("DELETE_ORDER_ID") is None and v.get("RESTORE_ORDER_ID") is None and v["BASKET_ID"] is None


def test_show_with_most_live_paid_tickets():
    paid = [
        order(1, baskets=[basket(1, "a", show=70), basket(2, "b", show=71), basket(3, "c", show=71)]),
        order(2, baskets=[basket(4, None, show=72), basket(5, "d", show=70, refunded="x")]),
    ]
    assert choose_show(paid) == (7, 71)
    assert choose_show([]) == (None, None)


def test_partner_seats():
    lists = [{"event_id": 1, "show_id": 10}, {"event_id": 1, "show_id": 11}, {"event_id": 2, "show_id": 20}]
    seats = {f"A-1;{i}": {"available": i != 3, "price": 100 + i} for i in range(1, 9)}
    offers = {
        (1, 10): {"full": {"seats": {"A-1;1": {"available": True}}}},
        (2, 20): {"": {"seats": seats}, "child": {"seats": {"A-1;1": {"available": True, "price": 50}}}},
    }
    v = choose_partner_seats(lists, offers)
    assert v["P_SINGLE_SHOW_EVENT_ID"] == 2
    assert (v["P_EVENT_ID"], v["P_SHOW_ID"], v["OFFER_ID"], v["OFFER_ID_2"]) == (2, 20, "", "child")
    assert [v[f"FREE_SEAT_{i}"] for i in range(1, 5)] == ["A-1;1", "A-1;2", "A-1;4", "A-1;5"]
    assert (v["SEAT_PRICE"], v["SEAT_PRICE_4"]) == (101, 105)
    assert (v["CHECK_SEAT_1"], v["CHECK_SEAT_2"]) == ("A-1;6", "A-1;7")


def test_generated_values_are_moscow_iso():
    v = generated_values("20251109T100000Z", datetime(2025, 11, 9, 10, 0, tzinfo=UTC), "Europe/Moscow")
    assert v["NOW_ISO"] == "2025-11-09T13:00:00+03:00" and v["RESERVED_TO"] == "2025-11-10T13:00:00+03:00"
    assert v["AUDIT_EMAIL"].endswith("@example.invalid") and v["AUDIT_REF"] == "audit-20251109T100000Z"


def test_restore_needs_no_refunds_and_free_seats():
    from qtickets_assets.audit.discovery import restore_candidates, seats_still_free

    cancelled = order(
        9, payed=False, deleted="x", baskets=[{"id": 1, "show_id": 70, "seat_id": "A-1;1", "quantity": 1}]
    )
    refunded = order(8, payed=False, deleted="x", refunds=[{"id": 1}], baskets=[{"id": 2}])
    assert [o["id"] for o in restore_candidates([refunded, order(7, payed=False), cancelled])] == [9]
    free = {70: {"full_A-1;1": {"root_id": "A-1;1", "available": True, "free_quantity": 1}}}
    taken = {70: {"full_A-1;1": {"root_id": "A-1;1", "available": False, "free_quantity": 0}}}
    assert seats_still_free(cancelled, free) and not seats_still_free(cancelled, taken)
