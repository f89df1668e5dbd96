"""One documented, valid object per resource, in the shapes of the API reference (docs/qtickets_api.md), and a
helper that stores objects as staging rows of one load and runs the resource's contract on them in ClickHouse.
The contract tests start from these and break one thing at a time; they also show a reader what each check
expects. Personal values are obviously fake.
"""

from __future__ import annotations

import copy
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from qtickets_assets.qtickets.client.decoding import dumps
from qtickets_assets.qtickets.ingest.catalog import CATALOG
from qtickets_assets.quality.contracts import CONTRACTS
from qtickets_assets.quality.evaluate import ValidationOutcome, evaluate_contract

SNAPSHOT = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)

BASKET = {
    "id": 9001,
    "series": "882024089",
    "barcode": "877076325904",
    "show_id": 501,
    "seat_id": "CENTER_PARTERRE-21;12",
    "seat_name": "Партер: ряд 21, место 12",
    "original_price": 2000,
    "ticket_original_price": 2000,
    "discount_value": 500,
    "price": 1500.0,
    "ticket_amount": 1500.0,
    "service_fee_amount": 0,
    "multiprice_code": None,
    "quantity": 1,
    "client_email": "buyer@example.org",
    "client_phone": "+79000000000",
    "client_name": "Тест",
    "client_surname": "Тестов",
    "client_middlename": None,
    "organization_name": None,
    "legal_name": None,
    "work_position": None,
    "inn": None,
    "kpp": None,
    "comment": None,
    "pdf_url": "https://qtickets.ru/ticket/x.pdf",
    "passbook_url": None,
    "related_baskets": [],
    "services": [],
    "checked_at": None,
    "created_at": "2025-11-01T12:40:00+03:00",
    "updated_at": "2025-11-01T12:50:52+03:00",
    "deleted_at": None,
    "refunded_at": None,
    "refunded_amount": None,
    "refunded_deduction_amount": None,
    "refunds": [],
}

ORDER = {
    "id": 4360,
    "uniqid": "z7rkjcV2BV",
    "payed": True,
    "payed_at": "2025-11-01T12:50:52+03:00",
    "created_at": "2025-11-01T12:40:00+03:00",
    "updated_at": "2025-11-01T12:50:52+03:00",
    "deleted_at": None,
    "client_id": 77,
    "client": {"id": 77, "email": "buyer@example.org", "details": {"id": 77, "name": "Тест"}},
    "site_id": 1,
    "site": {"id": 1, "host": "qtickets.ru"},
    "payment_id": 3,
    "payment_type_id": "bankcard",
    "payment_card_number": "546964******9036",
    "payment_url": "https://qtickets.ru/pay/z7rkjcV2BV",
    "cancel_url": "https://qtickets.ru/cancel-order/z7rkjcV2BV/abc",
    "basket_user_id": 1,
    "backend_user_id": None,
    "access_code_id": None,
    "discount_id": None,
    "promo_code_id": None,
    "reserved": False,
    "reserved_to": "2025-11-01T13:00:00+03:00",
    "reserve_extended": False,
    "event_id": 33,
    "price": 1500.0,
    "original_price": 2000,
    "currency_id": "RUB",
    "utm": [],
    "custom": "",
    "fields": [],
    "baskets": [BASKET],
    "refunds": [],
    "integrations": [],
}

CLIENT = {
    "id": 77,
    "email": "buyer@example.org",
    "details": {
        "id": 77,
        "name": "Тест",
        "middlename": None,
        "surname": "Тестов",
        "phone": "+79000000000",
        "vk_id": "",
        "facebook_id": "",
    },
}

SHOW = {
    "id": 501,
    "name": "",
    "is_active": 1,
    "sale_start_date": "2025-10-01T00:00:00+03:00",
    "sale_finish_date": "2025-12-20T19:00:00+03:00",
    "open_date": "2025-12-20T18:00:00+03:00",
    "start_date": "2025-12-20T19:00:00+03:00",
    "finish_date": "2025-12-20T21:00:00+03:00",
    "scheme_properties": [],
    "prices": [{"id": 1, "default_price": 2000, "color_theme": "1", "modifiers": []}],
    "min_price": None,
    "max_price": None,
    "created_at": "2025-09-01T10:00:00+03:00",
    "updated_at": "2025-09-01T10:00:00+03:00",
    "deleted_at": None,
}

EVENT = {
    "id": 33,
    "is_active": 1,
    "name": "Концерт",
    "scheme_id": 4,
    "currency_id": "RUB",
    "place_name": "Зал",
    "place_address": "ул. Примерная, 1",
    "place_description": "",
    "city_id": 1,
    "description": "",
    "site_url": "",
    "external_id": None,
    "ticket_id": 1,
    "mail_template_id": 1,
    "age": "12+",
    "shows": [SHOW],
    "payments": [],
    "poster": None,
    "event_type_id": 1,
    "city": {"id": 1, "name": "Москва", "timezone": "Europe/Moscow"},
    "ticket": {"id": 1, "is_active": 1, "name": "Билет"},
    "mail_template": {"id": 1, "is_active": 1, "name": "t"},
    "slug": "koncert",
    "place_coordinates": [55.75, 37.62],
    "url": "https://qtickets.ru/event/33",
    "created_at": "2025-09-01T10:00:00+03:00",
    "updated_at": "2025-09-01T10:00:00+03:00",
    "deleted_at": None,
}

PRICE_SHADE = {"id": 1, "color": "#d80000"}

DISCOUNT = {
    "id": 45,
    "is_active": 1,
    "name": "Скидка 10%",
    "active_from": "2025-10-01T00:00:00+03:00",
    "active_to": None,
    "type": "P",
    "events": [{"id": 33, "is_active": 1, "name": "Концерт", "deleted_at": None}],
    "shows": [],
    "created_at": "2025-09-01T10:00:00+03:00",
    "updated_at": "2025-09-01T10:00:00+03:00",
    "deleted_at": None,
}

PROMO_CODE = {
    "id": 12,
    "is_active": 1,
    "type": 0,
    "discount_id": 45,
    "code": "promo10",
    "max_uses_count": 0,
    "active_from": None,
    "active_to": None,
    "created_at": "2025-09-01T10:00:00+03:00",
    "updated_at": "2025-09-01T10:00:00+03:00",
    "deleted_at": None,
}

SEAT = {
    "id": "full_RIGHT_PARTERRE-1;6",
    "root_id": "RIGHT_PARTERRE-1;6",
    "name": "Правый партер: Ряд 1, Место 6",
    "zone_id": "full_RIGHT_PARTERRE",
    "zone_root_id": "RIGHT_PARTERRE",
    "short_seat_id": "1;6",
    "admission": False,
    "row": "1",
    "place": "6",
    "max_quantity": 1,
    "free_quantity": 1,
    "ordered_quantity": 0,
    "available": True,
    "disabled": False,
    "ordered": False,
    "payed_quantity": 0,
    "in_basket_quantity": 0,
    "price": 2000.0,
    "currency_id": "RUB",
    "related_seats": [],
    "multiprice_name": "Полный",
    "multiprice_code": "full",
    "spread": {"partner_id": None, "users": None, "client_groups": None, "client_emails": None, "agents": False},
    "color_theme_id": 1,
    "coords": [10, 20],
}

BARCODE = {
    "barcode": "877076325904",
    "admission": False,
    "price": 1500.0,
    "seat_name": "VIP: ряд 1, место 1",
    "zone_name": "VIP",
    "row": "1",
    "place": "1",
    "client_name": "Тест",
    "client_surname": "Тестов",
    "client_middlename": None,
}

PARTNER_TICKET = {
    "id": 120299,
    "paid": 1,
    "paid_at": "2025-11-01T12:50:52+03:00",
    "seat_id": "7-1;8",
    "offer_id": "",
    "admission": False,
    "payment_type_id": None,
    "reserved_to": "2025-11-01T13:00:00+03:00",
    "external_id": "ext-1",
    "external_order_id": "ord-1",
    "barcode": "875196723453",
    "price": 1500,
    "client_email": "buyer@example.org",
    "client_phone": "+79000000000",
    "client_name": "Тест",
    "client_surname": "Тестов",
    "client_middlename": None,
    "fanid_card": None,
    "visitor_user_id": None,
    "deleted": 0,
}

PARTNER_EVENT = {
    "event_id": 33,
    "show_id": 501,
    "event_name": "Концерт",
    "start_date": "2025-12-20T19:00:00+03:00",
    "finish_date": "2025-12-20T21:00:00+03:00",
    "scheme": {
        "id": 4,
        "venue_id": 2,
        "place_name": "Зал",
        "place_address": "ул. Примерная, 1",
        "place_description": "",
    },
    "city": {"id": 1, "name": "Москва", "timezone": "Europe/Moscow", "coords": [55.75, 37.62]},
    "event_type": {"id": 1, "name": "Концерт"},
    "age": "12+",
    "fanid_required": False,
    "has_document_verification": False,
    "integrations": [],
    "last_update_hash": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
}

# resource -> (object, key columns of its staging row)
EXAMPLES: dict[str, tuple[dict, dict]] = {
    "orders": (ORDER, {"order_id": 4360}),
    "clients": (CLIENT, {"client_id": 77}),
    "events": (EVENT, {"event_id": 33}),
    "price_shades": (PRICE_SHADE, {"shade_id": 1}),
    "discounts": (DISCOUNT, {"discount_id": 45}),
    "promo_codes": (PROMO_CODE, {"promo_code_id": 12}),
    "inventory": (
        SEAT,
        {"event_id": 33, "show_id": 501, "seat_id": "full_RIGHT_PARTERRE-1;6", "snapshot_ts": SNAPSHOT},
    ),
    "barcodes": (BARCODE, {"event_id": 33, "show_id": 501, "barcode": "877076325904", "snapshot_ts": SNAPSHOT}),
    "partner_tickets": (PARTNER_TICKET, {"ticket_id": 120299, "event_id": 33, "show_id": 501}),
    "partner_events": (PARTNER_EVENT, {"event_id": 33, "show_id": 501}),
}


def example_object(resource: str) -> dict[str, Any]:
    """A deep copy of the documented object, safe to modify."""
    return copy.deepcopy(EXAMPLES[resource][0])


def as_row(resource: str, obj: Any, **key_overrides: Any) -> dict[str, Any]:
    """A staging row for `obj`: the contract's payload serialisation plus the example's key columns."""
    cols = {**EXAMPLES[resource][1], **key_overrides}
    entry = CATALOG[resource]
    key = entry.business_key[0]
    if (
        len(entry.business_key) == 1
        and isinstance(obj, dict)
        and key not in key_overrides
        and isinstance(obj.get("id"), int)
    ):
        cols[key] = obj["id"]  # the row's key column follows the object's own id
    payload = obj if isinstance(obj, str) else dumps(obj)
    return {**cols, "payload": payload}


def stop_merges(client) -> None:
    """Keep every stored row of the staging tables of the client's database: the tests store the same keys in many
    loads, and a background merge of a ReplacingMergeTree would collapse them while a test reads its load."""
    for table in sorted({entry.table for entry in CATALOG.values()}):
        client.command(f"SYSTEM STOP MERGES {table}")


def store_and_validate(client, resource: str, rows: list[dict[str, Any]]) -> ValidationOutcome:
    """Insert `rows` (as_row) into the resource's staging table as one new load and run its contract on that load."""
    run_id = f"test-{uuid.uuid4().hex}"
    table = CATALOG[resource].table
    if rows:
        now = datetime.now(UTC)
        names = sorted({k for row in rows for k in row})
        values = []
        for i, row in enumerate(rows):
            out = []
            for name in names:
                value = row.get(name)
                if name == "snapshot_ts" and isinstance(value, str):
                    value = datetime.fromisoformat(value)
                out.append(value)
            values.append(out + [now, run_id, time.time_ns() + i])
        # One INSERT per row: a ReplacingMergeTree already collapses equal keys inside one inserted block, and
        # the duplicate-key tests need both rows stored (as two pages of one load would be).
        for value in values:
            client.insert(table, [value], column_names=[*names, "_loaded_at", "_run_id", "_version"])
    return evaluate_contract(CONTRACTS[resource], table, run_id, lambda sql: client.query(sql).result_rows)
