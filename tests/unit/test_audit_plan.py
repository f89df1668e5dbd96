"""The audit plan file: every case of the original plan exactly once, well-formed, placeholders resolvable."""

import pytest

from qtickets_assets.audit.discovery import generated_values
from qtickets_assets.audit.plan import PlanError, UnresolvedPlaceholder, load_plan, placeholders_in, resolve

ORIGINAL_IDS = (
    [f"1.{i}" for i in range(1, 11)]
    + [f"2.{i}" for i in range(1, 5)]
    + [f"3.{i}" for i in range(1, 8)]
    + [f"4.{i}" for i in range(1, 6)]
    + [f"5.{i}" for i in range(1, 6)]
    + [f"6.{i}" for i in range(1, 16)]
    + [f"7.{i}" for i in range(1, 6)]
)
# What discovery can provide (qtickets_assets/audit/discovery.py); captures come from earlier cases.
DISCOVERED = {
    "EVENT_ID",
    "SHOW_ID",
    "ORDER_ID",
    "PAID_ORDER_ID",
    "DELETE_ORDER_ID",
    "DELETE_BASKET_ID",
    "REFUND_ORDER_ID",
    "REFUND_BASKET_ID",
    "EDIT_ORDER_ID",
    "EDIT_BASKET_ID",
    "BASKET_ID",
    "RESTORE_ORDER_ID",
    "CLIENT_ID",
    "DISCOUNT_ID",
    "BARCODE",
    "BARCODE_2",
    "SCHEME_ID",
    "CITY_ID",
    "P_EVENT_ID",
    "P_SHOW_ID",
    "P_SINGLE_SHOW_EVENT_ID",
    "OFFER_ID",
    "OFFER_ID_2",
    "FREE_SEAT_1",
    "FREE_SEAT_2",
    "FREE_SEAT_3",
    "FREE_SEAT_4",
    "SEAT_PRICE",
    "SEAT_PRICE_2",
    "SEAT_PRICE_3",
    "SEAT_PRICE_4",
    "CHECK_SEAT_1",
    "CHECK_SEAT_2",
    "PARTNER_TICKET_ID",
    "PARTNER_BARCODE",
}


def test_plan_has_all_51_original_cases_once():
    plan = load_plan()
    ids = [c.id for c in plan.cases]
    assert len(ids) == len(set(ids))
    original = [c.id for c in plan.cases if not c.addition]
    assert sorted(original, key=lambda s: tuple(map(int, s.split(".")))) == ORIGINAL_IDS
    assert len(original) == 51
    assert all(c.id.startswith("x.") for c in plan.cases if c.addition)
    assert plan.version


def test_every_case_is_complete():
    for c in load_plan().cases:
        assert c.expect and c.api in ("rest", "partners") and isinstance(c.writes, bool), c.id
        assert c.spec_ref and c.title, c.id
        if not c.addition:
            assert c.original and c.original.get("path"), c.id
        if c.original and (c.original["path"] != c.path or c.original["method"] != c.method):
            assert c.mapping_note or c.expect.get("shape") == "html_404", f"{c.id} changed without a note"


def test_write_cases_are_marked():
    plan = load_plan()
    writes = {c.id for c in plan.cases if c.writes}
    # REST edits, scans, client/promo/event creation and Partners add/update/remove change data.
    assert {
        "1.7",
        "1.8",
        "1.9",
        "1.10",
        "2.3",
        "2.4",
        "3.4",
        "3.5",
        "4.4",
        "4.5",
        "5.4",
        "5.5",
        "6.1",
        "6.2",
        "6.3",
        "6.4",
        "6.5",
        "6.6",
        "6.7",
        "7.4",
    } == writes
    assert all(c.method == "GET" for c in plan.cases if c.api == "rest" and not c.writes)


def test_every_placeholder_has_a_source():
    plan = load_plan()
    known = DISCOVERED | set(
        generated_values("T", __import__("datetime").datetime.now(__import__("datetime").timezone.utc), "Europe/Moscow")
    )
    for c in plan.cases:
        used = placeholders_in(c.path) | placeholders_in(c.body) | placeholders_in(c.expect)
        assert used <= known, f"{c.id}: unknown {used - known}"
        known |= set(c.capture)


def test_resolve_keeps_types_and_substitutes_keys():
    body = {"delete": {"baskets": {"{B}": []}}, "id": "{T}", "ref": "audit-{T}", "list": ["{T}", 1]}
    assert resolve(body, {"B": 63993, "T": 7}) == {
        "delete": {"baskets": {"63993": []}},
        "id": 7,
        "ref": "audit-7",
        "list": [7, 1],
    }
    assert resolve("/orders/{ORDER_ID}", {"ORDER_ID": 12}) == "/orders/12"
    assert resolve(None, {}) is None


def test_resolve_names_every_missing_placeholder():
    with pytest.raises(UnresolvedPlaceholder) as err:
        resolve({"a": "{X}", "b": ["{Y}"], "c": "{Z}"}, {"Z": 1, "Y": None})
    assert err.value.names == {"X", "Y"}
    assert "{X}" in str(err.value)


def test_malformed_plans_are_rejected(tmp_path):
    base = (
        "plan_version: t\ncases:\n  - {id: '1.1', title: t, api: rest, method: GET, path: /orders, "
        "writes: false, spec_ref: s, expect: %s}\n"
    )
    bad = tmp_path / "p.yaml"
    bad.write_text(base % "{status: 200, shape: nonsense}")
    with pytest.raises(PlanError, match="shape"):
        load_plan(bad)
    bad.write_text(base % "{}")
    with pytest.raises(PlanError, match="expect"):
        load_plan(bad)
    bad.write_text((base % "{status: 200}") * 1 + base.split("cases:\n")[1] % "{status: 200}")
    with pytest.raises(PlanError, match="twice"):
        load_plan(bad)
    bad.write_text(base.replace("writes: false, ", "") % "{status: 200}")
    with pytest.raises(PlanError, match="writes"):
        load_plan(bad)
