"""The QTickets client against the sandbox over real HTTP: typed errors, raw_request, paging, streaming."""

from __future__ import annotations

import pytest

from qtickets_assets.qtickets.client.api import QTicketsClient
from qtickets_assets.qtickets.client.errors import ApiUnavailable, ResourceNotFound, RouteNotFound, WrongAuthorization
from qtickets_sandbox.testing import SandboxServer

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(orders=600, seed=7) as server:
        yield server


def client_for(sandbox, **kw) -> QTicketsClient:
    token = kw.pop("token", sandbox.token)
    settings = dict(
        partners_base_url=sandbox.partners_url,
        partners_token=sandbox.partners_token,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.3,
    )
    settings.update(kw)
    return QTicketsClient(sandbox.rest_url, token, **settings)


def test_every_page_is_read_with_the_server_page_size(sandbox):
    client = client_for(sandbox, page_size=100)
    ids = [o["id"] for o in client.iter_objects("orders")]
    assert sorted(ids) == sorted(int(o["id"]) for o in sandbox.export("orders"))
    assert len(ids) == len(set(ids))
    assert client.stats.pages == client.stats.requests == -(-len(ids) // 100)


def test_local_recheck_counts_what_a_filter_drops(sandbox):
    client = client_for(sandbox)
    where = [{"column": "payed", "value": 1}]
    paid = list(client.iter_objects("orders", where=where))
    assert paid and all(o["payed"] is True for o in paid)
    assert client.stats.filtered_out == 0  # the sandbox applies the filter; nothing to drop


def test_sparse_pages_match_the_full_parse_over_http(sandbox):
    """iter_pages(fields=...) (the staging loads' path, client/decoding.py) yields the same objects, keys and filter
    decisions as the full parse, and each payload is the object's own bytes in the API's answer."""
    import json

    from qtickets_assets.qtickets.ingest.catalog import CATALOG
    from qtickets_assets.qtickets.ingest.columns import payload_bytes

    entry = CATALOG["orders"]
    where = [
        {"column": "client_id", "operator": ">", "value": 0},
        {"column": "updated_at", "operator": ">=", "value": "2000-01-01T00:00:00+03:00"},
    ]
    full_client, sparse_client = client_for(sandbox, page_size=100), client_for(sandbox, page_size=100)
    by_id = lambda objects: sorted(objects, key=lambda o: o["id"])  # noqa: E731 - pages arrive as they complete
    full = by_id(full_client.iter_objects("orders", where=where))
    sparse = by_id(sparse_client.iter_objects("orders", where=where, fields=entry.object_fields))
    assert [o["id"] for o in sparse] == [o["id"] for o in full] and len(full) > 100
    assert sparse_client.stats.filtered_out == full_client.stats.filtered_out
    assert all("client_id" in o for o in sparse)  # a filter column is decoded too, for the local re-check
    for f, s in zip(full, sparse):
        assert entry.extract(s, {}) == entry.extract(f, {})
        assert json.loads(payload_bytes(s)) == f and payload_bytes(s) != payload_bytes(f)  # API text, not re-dumped


def test_typed_errors(sandbox):
    client = client_for(sandbox)
    with pytest.raises(RouteNotFound, match="QTICKETS_BASE_URL"):
        client.get("price-shades")
    with pytest.raises(ResourceNotFound):
        client.get("orders/999999999")
    bad = client_for(sandbox, token="wrong-token-xyz")
    with pytest.raises(WrongAuthorization, match="QTICKETS_TOKEN") as info:
        bad.get("orders")
    assert "wrong-token-xyz" not in str(info.value)
    wrong_partner = client_for(sandbox, partners_token=sandbox.token)  # the REST token is rejected there
    with pytest.raises(WrongAuthorization, match="QTICKETS_PARTNERS_TOKEN") as info:
        wrong_partner.partners("events/lists")
    assert sandbox.token not in str(info.value)


def test_raw_request_reports_instead_of_raising(sandbox):
    client = client_for(sandbox)
    r = client.raw_request("rest", "GET", "events", token="not-the-token")
    assert r.status == 403 and r.json["code"] == "WRONG_AUTHORIZATION" and r.error is None
    blob = repr(r)
    assert "not-the-token" not in blob and sandbox.token not in blob
    r = client.raw_request("rest", "GET", "barcodes")
    assert r.status == 404 and r.json is None and "html" in r.headers.get("Content-Type", "").lower()
    r = client.raw_request("rest", "GET", "orders", {"page": 1, "perPage": 5, "orderBy": {"id": "asc"}})
    assert r.status == 200 and len(r.json["data"]) == 5 and r.latency_ms > 0


def test_unreachable_api_is_reported_with_the_setting(sandbox):
    client = QTicketsClient(
        "http://127.0.0.1:9/api/rest/v1", "t0ken-abc", max_retries=1, backoff_base_seconds=0.01, timeout_seconds=2
    )
    with pytest.raises(ApiUnavailable, match="QTICKETS_BASE_URL") as info:
        client.get("orders")
    assert "t0ken-abc" not in str(info.value)
    r = client.raw_request("rest", "GET", "orders")
    assert r.status is None and r.error and "t0ken-abc" not in r.error
