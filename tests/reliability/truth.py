"""The sandbox's truth vs what the platform stored: every staging table, after deduplication.

Facts are compared with tests/integration/test_dbt_facts.py's independent recomputation (imported, not copied).
"""

from __future__ import annotations

import json
import re

from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_sandbox.jsonio import dumps as api_bytes
from tests.integration.test_dbt_facts import assert_same, check_facts, expected_sales, fact_sales  # noqa: F401

# resource -> (id column, export name): tables keyed by one id, whose latest payload must equal the export object.
ID_KEYED = {
    "orders": ("order_id", "orders"),
    "events": ("event_id", "events"),
    "clients": ("client_id", "clients"),
    "discounts": ("discount_id", "discounts"),
    "promo_codes": ("promo_code_id", "promo_codes"),
    "price_shades": ("shade_id", "color_themes"),
}
_SURROGATE = re.compile("[\ud800-\udfff]")


def contract_bytes(obj) -> bytes:
    """The staging contract's serialisation: json.dumps(obj, ensure_ascii=False, separators=(",", ":")) in UTF-8;
    a lone surrogate (unencodable) written back as its JSON escape, as the platform documents (qtickets/client/decoding.py)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


def stored_as_sent(stored: bytes, obj) -> bool:
    """Byte-exact storage of one object: either the API's own text of it (REST answers are decoded sparsely and keep
    each object's bytes, qtickets/client/decoding.py) or the contract's serialisation (answers the platform parsed whole:
    Partners, and REST answers the sparse decoder refuses, such as ones holding lone surrogates)."""
    return stored in (api_bytes(obj), contract_bytes(obj))


def latest_payloads(ch, name: str) -> dict[int, bytes]:
    column, _ = ID_KEYED[name]
    table = CATALOG[name].table
    rows = ch.query(
        f"SELECT {column}, argMax(payload, _version) AS raw_payload FROM {table} GROUP BY {column}",
        column_formats={"raw_payload": "bytes"},
    ).result_rows
    return {int(k): p if isinstance(p, bytes) else p.encode("utf-8") for k, p in rows}


def dedup_count(ch, name: str) -> int:
    return int(ch.query(f"SELECT count() FROM {CATALOG[name].table} FINAL").first_row[0])


def assert_id_keyed_match(ch, sandbox, byte_exact: bool = False) -> dict[str, int]:
    """Every id-keyed table holds exactly the export's ids, and each latest payload equals the export object
    (as JSON, or byte for byte against the contract's serialisation). Returns rows compared per table."""
    compared = {}
    for name, (_, export) in ID_KEYED.items():
        truth = {int(o["id"]): o for o in sandbox.export(export)}
        stored = latest_payloads(ch, name)
        missing, extra = truth.keys() - stored.keys(), stored.keys() - truth.keys()
        assert not missing and not extra, f"{name}: {len(missing)} missing, {len(extra)} extra ids"
        assert dedup_count(ch, name) == len(truth), f"{name}: FINAL count differs from the truth"
        if byte_exact:
            wrong = [k for k, o in truth.items() if not stored_as_sent(stored[k], o)]
        else:
            wrong = [k for k, o in truth.items() if json.loads(stored[k]) != o]
        assert not wrong, f"{name}: {len(wrong)} payloads differ from the export, e.g. id {wrong[0]}"
        compared[name] = len(truth)
    return compared


def _key_text(value) -> str:
    """A String key column as stored: a lone surrogate (unencodable in UTF-8) kept as its backslash escape."""
    text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _live_shows(events) -> list[tuple[int, int]]:
    return [
        (int(e["id"]), int(s["id"]))
        for e in events
        if e.get("deleted_at") is None and e.get("is_active")
        for s in e.get("shows") or []
        if s.get("deleted_at") is None and s.get("is_active")
    ]


def _latest_snapshot(ch, table: str, columns: str) -> list[tuple]:
    return ch.query(
        f"SELECT {columns} FROM {table} FINAL WHERE snapshot_ts = (SELECT max(snapshot_ts) FROM {table})",
        column_formats={"payload": "bytes"},
    ).result_rows


def assert_fanout_match(ch, sandbox, byte_exact: bool = False) -> dict[str, int]:
    """Seats and barcodes (latest snapshot), partner tickets and partner events equal the export."""
    events = sandbox.export("events")
    live = _live_shows(events)
    seats, barcodes = sandbox.export("seats"), sandbox.export("barcodes")
    want_seats = {(e, s, seat_id): obj for e, s in live for seat_id, obj in (seats.get(str(s)) or {}).items()}
    got_seats = {
        (r[0], r[1], r[2]): r[3]
        for r in _latest_snapshot(ch, CATALOG["inventory"].table, "event_id, show_id, seat_id, payload")
    }
    assert got_seats.keys() == want_seats.keys(), "inventory: latest snapshot seats differ from the export"
    want_codes = {(e, s, _key_text(item["barcode"])): item for e, s in live for item in (barcodes.get(str(s)) or [])}
    got_codes = {
        (r[0], r[1], r[2]): r[3]
        for r in _latest_snapshot(ch, CATALOG["barcodes"].table, "event_id, show_id, barcode, payload")
    }
    assert got_codes.keys() == want_codes.keys(), "barcodes: latest snapshot differs from the export"
    for got, want, what in ((got_seats, want_seats, "inventory"), (got_codes, want_codes, "barcodes")):
        if byte_exact:
            wrong = [k for k, o in want.items() if not stored_as_sent(got[k], o)]
        else:
            wrong = [k for k, o in want.items() if json.loads(got[k]) != o]
        assert not wrong, f"{what}: {len(wrong)} payloads differ from the export, e.g. {wrong[0]}"

    # Partners answers are parsed whole by the client (their envelope carries errors and context), so their payloads
    # are the contract's re-serialisation: compared as JSON, object by object, not byte for byte.
    tickets = {int(t["id"]): t for t in sandbox.export("partner_tickets")}
    rows = ch.query(
        f"SELECT ticket_id, argMax(paid, _version), argMax(deleted, _version), argMax(payload, _version) "
        f"FROM {CATALOG['partner_tickets'].table} GROUP BY ticket_id"
    ).result_rows
    latest = {ticket_id: (paid, deleted, payload) for ticket_id, paid, deleted, payload in rows}
    assert set(latest) == set(tickets), "partner_tickets: ids differ from the export"
    assert all(
        (bool(p), bool(d)) == (bool(tickets[t]["paid"]), bool(tickets[t]["deleted"])) for t, (p, d, _) in latest.items()
    )
    wrong = [t for t, (_, _, payload) in latest.items() if json.loads(payload) != tickets[t]]
    assert not wrong, f"partner_tickets: {len(wrong)} payloads differ from the export, e.g. ticket {wrong[0]}"
    events = {(int(p["event_id"]), int(p["show_id"])): p for p in sandbox.export("partner_events")}
    got = {
        (r[0], r[1]): r[2]
        for r in ch.query(
            f"SELECT event_id, show_id, argMax(payload, _version) FROM {CATALOG['partner_events'].table} "
            f"GROUP BY event_id, show_id"
        ).result_rows
    }
    assert set(got) == set(events), "partner_events differ from the export"
    wrong = [k for k, payload in got.items() if json.loads(payload) != events[k]]
    assert not wrong, f"partner_events: {len(wrong)} payloads differ from the export, e.g. {wrong[0]}"
    pairs = set(events)
    return {
        "inventory": len(want_seats),
        "barcodes": len(want_codes),
        "partner_tickets": len(tickets),
        "partner_events": len(pairs),
    }


def assert_staging_matches(ch, sandbox, byte_exact: bool = False) -> dict[str, int]:
    """All ten staging tables against the export; returns rows compared per table."""
    return {**assert_id_keyed_match(ch, sandbox, byte_exact), **assert_fanout_match(ch, sandbox, byte_exact)}
