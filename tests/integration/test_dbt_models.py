"""dbt project against a real ClickHouse with hand-made raw rows shaped like the QTickets API (docs/qtickets_api.md#objects).

Each case in the rows below exercises one rule of docs/fact_semantics.md: refunded, deleted and
unpaid orders/baskets, an admission basket with quantity 3, PHP type drift (payed 1/"1", utm [], custom "",
money as strings), the Moscow day boundary, and a newer `_version` of an order replacing the older one.
A second load then changes orders across months and checks that incremental runs never double-count and that
a month whose only sale vanished is dropped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import clickhouse_connect
import pytest

from qtickets_assets.clickhouse.ddl import ddl_statements
from qtickets_assets.local.clickhouse_server import EmbeddedClickHouse

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = ROOT / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))
UTC = UTC


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _ts(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def show(show_id: int, start: str) -> dict:
    return {
        "id": show_id,
        "name": "",
        "is_active": 1,
        "start_date": start,
        "finish_date": start,
        "open_date": start,
        "sale_start_date": None,
        "sale_finish_date": None,
        "deleted_at": None,
        "created_at": "2025-10-01T10:00:00+03:00",
        "updated_at": "2025-10-01T10:00:00+03:00",
    }


EVENTS = [
    {
        "id": 11,
        "is_active": 1,
        "name": "Концерт",
        "currency_id": "RUB",
        "city_id": 1,
        "city": {"id": 1, "name": "Москва", "timezone": "Europe/Moscow"},
        "place_name": "Зал",
        "shows": [show(101, "2026-03-01T19:00:00+03:00"), show(102, "2026-03-02T19:00:00+03:00")],
        "created_at": "2025-10-01T10:00:00+03:00",
        "updated_at": "2025-10-01T10:00:00+03:00",
        "deleted_at": None,
    },
    {
        "id": 12,
        "is_active": "0",
        "name": "Спектакль",
        "currency_id": "RUB",
        "city_id": 2,
        "city": {"id": 2, "name": "Казань", "timezone": "Europe/Moscow"},
        "place_name": "Театр",
        "shows": [show(201, "2026-04-10T18:00:00+03:00")],
        "created_at": "2025-10-01T10:00:00+03:00",
        "updated_at": "2025-10-01T10:00:00+03:00",
        "deleted_at": None,
    },
]


def basket(bid, show_id, price, quantity=1, deleted_at=None, refunded_at=None, refunded_amount=None):
    return {
        "id": bid,
        "show_id": show_id,
        "seat_id": f"PARTERRE-1;{bid}",
        "price": price,
        "original_price": price,
        "quantity": quantity,
        "deleted_at": deleted_at,
        "refunded_at": refunded_at,
        "refunded_amount": refunded_amount,
        "barcode": None if deleted_at else f"8770{bid:08d}",
        "client_email": "holder@example.org",
        "client_name": "Иван",
    }


def order(oid, event_id, payed, payed_at, baskets, deleted_at=None, utm=None, currency="RUB"):
    return {
        "id": oid,
        "event_id": event_id,
        "payed": payed,
        "payed_at": payed_at,
        "created_at": payed_at or "2026-01-10T12:00:00+03:00",
        "updated_at": payed_at,
        "deleted_at": deleted_at,
        "currency_id": currency,
        "utm": utm if utm is not None else [],
        "custom": "",
        "fields": [],
        "price": 0,
        "client_id": 900 + oid,
        "baskets": baskets,
        "refunds": [],
    }


UTM = {"utm_source": "vk", "utm_medium": "cpc", "utm_campaign": "winter", "utm_content": None, "utm_term": None}
ORDERS_V1 = [
    # paid 2026-01-31 23:30 MSK (20:30 UTC): one sold basket, one refunded basket (refund of 1000.00)
    order(
        1,
        11,
        True,
        "2026-01-31T23:30:00+03:00",
        [
            basket(1, 101, 2500.5),
            basket(2, 101, "2500.50", refunded_at="2026-02-02T10:00:00+03:00", refunded_amount="1000.00"),
        ],
        utm=UTM,
    ),
    # paid 2026-02-01 00:30 MSK = 2026-01-31 21:30 UTC: counts on Feb 1 in Moscow; payed given as 1 (int)
    order(2, 11, 1, "2026-02-01T00:30:00+03:00", [basket(3, 101, 1000)]),
    # unpaid, expired: order and baskets deleted
    order(
        3,
        11,
        False,
        None,
        [basket(4, 101, 1000, deleted_at="2026-01-20T12:00:00+03:00")],
        deleted_at="2026-01-20T12:00:00+03:00",
    ),
    # paid then cancelled as a whole order: excluded
    order(4, 11, True, "2026-01-15T12:00:00+03:00", [basket(5, 102, 3000)], deleted_at="2026-01-16T12:00:00+03:00"),
    # admission basket quantity 3, price as a string, payed as "1"; another show and event
    order(5, 12, "1", "2026-01-15T09:00:00+03:00", [basket(6, 201, "1500.10", quantity=3)], utm=UTM),
    # paid, one basket cancelled (deleted, not refunded): counts nowhere; the other sold
    order(
        6,
        11,
        True,
        "2026-01-15T09:00:00+03:00",
        [basket(7, 102, 700, deleted_at="2026-01-16T09:00:00+03:00"), basket(8, 102, 700.7)],
    ),
    # paid in March (a month of its own, emptied by the second load)
    order(7, 12, True, "2026-03-05T10:00:00+03:00", [basket(9, 201, 999.99)]),
]


def raw_order_rows(orders, version: int, loaded_at: datetime) -> list[list]:
    return [
        [
            o["id"],
            o["event_id"],
            1 if o["payed"] in (True, 1, "1") else 0,
            _ts(o["created_at"]),
            _ts(o["payed_at"]),
            _ts(o["updated_at"]),
            _ts(o["deleted_at"]),
            _dump(o),
            loaded_at,
            "run",
            version,
        ]
        for o in orders
    ]


def seat(sid, max_q, free_q, available, disabled, admission=False):
    return {
        "id": sid,
        "max_quantity": max_q,
        "free_quantity": free_q,
        "available": available,
        "disabled": disabled,
        "admission": admission,
        "price": 1000,
        "currency_id": "RUB",
    }


SNAP_OLD, SNAP_NEW = "2026-02-01T10:00:00+00:00", "2026-02-02T10:00:00+00:00"
SEATS = {
    (101, SNAP_OLD): [seat("a-1;1", 1, 1, True, False), seat("a-1;2", 1, 1, True, False)],
    (101, SNAP_NEW): [
        seat("a-1;1", 1, 0, False, False),
        seat("a-1;2", 1, 1, True, False),
        seat("a-1;3", 1, 1, 0, "1"),  # disabled (flags as 0 and "1"): not in the total, not left
        seat("adm-1;1", 100, 40, True, False, admission=True),
    ],
    (201, SNAP_NEW): [seat("b-1;1", 1, 1, False, False)],  # not available: its free seat is not left
}


def raw_inventory_rows(loaded_at: datetime) -> list[list]:
    return [
        [11 if show_id < 200 else 12, show_id, s["id"], _ts(snap), _dump(s), loaded_at, "run", version]
        for (show_id, snap), seats in SEATS.items()
        for s in seats
        for version in (1, 2)
    ]  # duplicate versions


def raw_event_rows(events, version: int, loaded_at: datetime) -> list[list]:
    return [[e["id"], _ts(e["updated_at"]), _ts(e["deleted_at"]), _dump(e), loaded_at, "run", version] for e in events]


ORDER_COLS = [
    "order_id",
    "event_id",
    "payed",
    "created_at",
    "payed_at",
    "updated_at",
    "deleted_at",
    "payload",
    "_loaded_at",
    "_run_id",
    "_version",
]
EVENT_COLS = ["event_id", "updated_at", "deleted_at", "payload", "_loaded_at", "_run_id", "_version"]
SEAT_COLS = ["event_id", "show_id", "seat_id", "snapshot_ts", "payload", "_loaded_at", "_run_id", "_version"]


@pytest.fixture(scope="module")
def clickhouse(tmp_path_factory):
    with EmbeddedClickHouse(path=tmp_path_factory.mktemp("ch"), http_port=0, tcp_port=0) as ch:
        admin = clickhouse_connect.get_client(host=ch.host, port=ch.http_port)
        admin.command("CREATE DATABASE IF NOT EXISTS qtickets")
        client = clickhouse_connect.get_client(host=ch.host, port=ch.http_port, database="qtickets")
        for _, statement in ddl_statements():
            client.command(statement)
        yield ch, client


def dbt(ch, tmp: Path, *args: str) -> str:
    env = {**os.environ, **ch.env(), "QTICKETS_TIMEZONE": "Europe/Moscow", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    proc = subprocess.run(
        [DBT, *args, "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")],
        cwd=DBT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    return proc.stdout


def rows(client, sql: str) -> list[tuple]:
    return [tuple(r) for r in client.query(sql).result_rows]


SALES_SQL = (
    "select sales_date, event_id, show_id, event_name, city, currency_id, tickets_sold, revenue, "
    "orders_count, tickets_refunded, refunded_amount from fact_qtickets_sales_daily order by 1, 2, 3"
)
UTM_SQL = (
    "select sales_date, event_id, utm_source, utm_campaign, utm_term, tickets_sold, revenue, orders_count, "
    "tickets_refunded from fact_qtickets_sales_utm_daily order by 1, 2, 3"
)
D = Decimal
V1_SALES = [
    (date(2026, 1, 15), 11, 102, "Концерт", "Москва", "RUB", 1, D("700.70"), 1, 0, D("0.00")),
    (date(2026, 1, 15), 12, 201, "Спектакль", "Казань", "RUB", 3, D("4500.30"), 1, 0, D("0.00")),
    (date(2026, 1, 31), 11, 101, "Концерт", "Москва", "RUB", 1, D("2500.50"), 1, 1, D("1000.00")),
    (date(2026, 2, 1), 11, 101, "Концерт", "Москва", "RUB", 1, D("1000.00"), 1, 0, D("0.00")),
    (date(2026, 3, 5), 12, 201, "Спектакль", "Казань", "RUB", 1, D("999.99"), 1, 0, D("0.00")),
]


def test_first_build(clickhouse, tmp_path_factory):
    ch, client = clickhouse
    t1 = datetime(2026, 2, 3, 8, 0, tzinfo=UTC)
    client.insert("stg_qtickets_api_events_raw", raw_event_rows(EVENTS, 1, t1), column_names=EVENT_COLS)
    # every order twice: the same version loaded by two runs must not count twice
    client.insert("stg_qtickets_api_orders_raw", raw_order_rows(ORDERS_V1, 1, t1) * 2, column_names=ORDER_COLS)
    client.insert("stg_qtickets_api_inventory_raw", raw_inventory_rows(t1), column_names=SEAT_COLS)
    dbt(ch, tmp_path_factory.mktemp("dbt"), "build")

    assert rows(client, SALES_SQL) == V1_SALES
    assert rows(client, UTM_SQL) == [
        (date(2026, 1, 15), 11, "", "", "", 1, D("700.70"), 1, 0),
        (date(2026, 1, 15), 12, "vk", "winter", "", 3, D("4500.30"), 1, 0),
        (date(2026, 1, 31), 11, "vk", "winter", "", 1, D("2500.50"), 1, 1),
        (date(2026, 2, 1), 11, "", "", "", 1, D("1000.00"), 1, 0),
        (date(2026, 3, 5), 12, "", "", "", 1, D("999.99"), 1, 0),
    ]
    assert rows(
        client,
        "select event_id, show_id, tickets_total, tickets_left, tickets_sold, snapshot_ts "
        "from fact_qtickets_inventory_latest order by 1, 2",
    ) == [
        (11, 101, 102, 41, 61, datetime(2026, 2, 2, 10, 0)),
        (12, 201, 1, 0, 1, datetime(2026, 2, 2, 10, 0)),
    ]
    assert rows(
        client,
        "select event_id, event_name, city, shows_count, first_show_date, last_show_date, "
        "is_active, is_deleted from dim_qtickets_events order by 1",
    ) == [
        (11, "Концерт", "Москва", 2, date(2026, 3, 1), date(2026, 3, 2), 1, 0),
        (12, "Спектакль", "Казань", 1, date(2026, 4, 10), date(2026, 4, 10), 0, 0),
    ]
    # no personal data leaves the raw table
    client_cols = {
        r[0]
        for r in rows(
            client,
            "select name from system.columns where database = 'qtickets' "
            "and table like 'stg_qtickets__%' and table != 'stg_qtickets__orders'",
        )
    }
    assert not client_cols & {"email", "client_email", "phone", "client_phone", "client_name", "name"}


def test_incremental_rebuild_never_double_counts(clickhouse, tmp_path_factory):
    ch, client = clickhouse
    t2 = datetime(2026, 2, 4, 8, 0, tzinfo=UTC)
    renamed = [dict(EVENTS[0], name="Концерт (перенос)"), EVENTS[1]]
    changed = [
        # order 2: its only basket refunded -> Feb 1 keeps a refund-only row
        order(
            2,
            11,
            1,
            "2026-02-01T00:30:00+03:00",
            [basket(3, 101, 1000, refunded_at="2026-02-03T10:00:00+03:00", refunded_amount=1000)],
        ),
        # order 7 cancelled: March has no sale left and must disappear
        order(
            7, 12, True, "2026-03-05T10:00:00+03:00", [basket(9, 201, 999.99)], deleted_at="2026-02-03T10:00:00+03:00"
        ),
        # a new order on Jan 15 for show 102, two tickets
        order(8, 11, True, "2026-01-15T20:00:00+03:00", [basket(10, 102, 500), basket(11, 102, "500.00")]),
    ]
    client.insert("stg_qtickets_api_events_raw", raw_event_rows(renamed, 2, t2), column_names=EVENT_COLS)
    client.insert("stg_qtickets_api_orders_raw", raw_order_rows(changed, 2, t2), column_names=ORDER_COLS)
    tmp = tmp_path_factory.mktemp("dbt")
    expected = [
        (date(2026, 1, 15), 11, 102, "Концерт (перенос)", "Москва", "RUB", 3, D("1700.70"), 2, 0, D("0.00")),
        (date(2026, 1, 15), 12, 201, "Спектакль", "Казань", "RUB", 3, D("4500.30"), 1, 0, D("0.00")),
        (date(2026, 1, 31), 11, 101, "Концерт (перенос)", "Москва", "RUB", 1, D("2500.50"), 1, 1, D("1000.00")),
        (date(2026, 2, 1), 11, 101, "Концерт (перенос)", "Москва", "RUB", 0, D("0.00"), 0, 1, D("1000.00")),
    ]
    for _ in range(2):  # a repeated run with nothing new changes nothing
        dbt(ch, tmp, "build")
        assert rows(client, SALES_SQL) == expected
    assert rows(client, "select sum(tickets_sold), sum(revenue) from fact_qtickets_sales_utm_daily") == [
        (7, D("8701.50"))
    ]
    # a backfill range and a full refresh give the same table
    dbt(
        ch,
        tmp,
        "run",
        "-s",
        "fact_qtickets_sales_daily",
        "--vars",
        '{"sales_date_from": "2026-01-01", "sales_date_to": "2026-01-31"}',
    )
    assert rows(client, SALES_SQL) == expected
    dbt(ch, tmp, "run", "-s", "fact_qtickets_sales_daily", "--full-refresh")
    assert rows(client, SALES_SQL) == expected


def test_incremental_run_rebuilds_only_the_touched_month(clickhouse, tmp_path_factory):
    ch, client = clickhouse
    tmp = tmp_path_factory.mktemp("dbt")
    watermark = "select toYYYYMM(sales_date), max(_orders_loaded_until) from fact_qtickets_sales_daily group by 1"

    def load_order_2(extra_price: str, version: int, loaded_at: datetime) -> None:
        again = order(
            2,
            11,
            1,
            "2026-02-01T00:30:00+03:00",
            [
                basket(3, 101, 1000, refunded_at="2026-02-03T10:00:00+03:00", refunded_amount=1000),
                basket(12, 101, extra_price),
            ],
        )
        client.insert(
            "stg_qtickets_api_orders_raw", raw_order_rows([again], version, loaded_at), column_names=ORDER_COLS
        )
        dbt(ch, tmp, "run", "-s", "+fact_qtickets_sales_daily")  # staging models are tables: build them too

    # The newest load is always re-examined (>= watermark), so settle with one load of a February order first:
    load_order_2("300.00", 3, datetime(2026, 2, 5, 8, 0, tzinfo=UTC))
    before = dict(rows(client, watermark))
    load_order_2("350.50", 4, datetime(2026, 2, 6, 8, 0, tzinfo=UTC))
    after = dict(rows(client, watermark))
    assert after[202601] == before[202601]  # January untouched (not rewritten)
    assert after[202602] > before[202602]  # February rebuilt
    assert rows(client, SALES_SQL)[-1] == (
        date(2026, 2, 1),
        11,
        101,
        "Концерт (перенос)",
        "Москва",
        "RUB",
        1,
        D("350.50"),
        1,
        1,
        D("1000.00"),
    )
    assert sum(r[7] for r in rows(client, SALES_SQL)) == D("1700.70") + D("4500.30") + D("2500.50") + D("350.50")
