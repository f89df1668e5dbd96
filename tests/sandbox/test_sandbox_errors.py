"""Error shapes of the REST API: 403, JSON 404, HTML 404 (unknown routes and wrong verbs), 503 cases, 422."""

from __future__ import annotations

import json

import pytest

HTML_TITLE = "Страница не найдена 404 – Qtickets"


@pytest.mark.parametrize("token", ["INVALID_TOKEN_12345", None, "sandbox-partner-key"])
def test_wrong_or_missing_token_is_403(api, token):
    resp = api.get("/events", token=token)
    assert resp.status_code == 403
    assert resp.json() == {"error": "Wrong authorization", "status": 403, "code": "WRONG_AUTHORIZATION", "info": []}


@pytest.mark.parametrize(
    "path,resource,expected_id",
    [
        ("/orders/999999999", "Order", 999999999),
        ("/events/999999999", "Event", 999999999),
        ("/clients/235", "Client", 235),
        ("/discounts/colors", "Discount", 0),
        ("/orders/abc", "Order", 0),
    ],
)
def test_json_404_resource_not_found(api, path, resource, expected_id):
    resp = api.get(path)
    assert resp.status_code == 404 and resp.headers["Content-Type"].startswith("application/json")
    assert resp.json() == {
        "error": f'Resource "{resource}" not found',
        "status": 404,
        "code": "RESOURCE_NOT_FOUND",
        "info": {"id": expected_id, "resource": resource},
    }


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/events/12/seats"),
        ("GET", "/events/33/seats/41"),
        ("GET", "/barcodes"),
        ("GET", "/barcodes/scan/872964136579"),
        ("POST", "/orders/filter"),
        ("GET", "/price-shades"),
        ("GET", "/scanning/info"),
        ("POST", "/scanning/batch"),
        ("DELETE", "/orders/4360/baskets/63993"),
        ("PATCH", "/orders/4360/baskets/63993"),
        ("POST", "/orders/4360/baskets/63993/refund"),
        ("PATCH", "/clients/235"),
        ("PATCH", "/events/33"),
        ("PATCH", "/promo-codes/1"),
        ("DELETE", "/events/1"),
    ],
)
def test_unknown_routes_and_wrong_verbs_get_the_html_404(api, method, path):
    resp = api.rest(method, path, {})
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("text/html")
    assert HTML_TITLE in resp.text


def test_html_404_comes_before_the_token_check(api):
    assert api.get("/price-shades", token="bad").status_code == 404


def test_query_string_where_on_orders_is_503_but_ignored_on_events(api):
    where = json.dumps([{"column": "payed", "value": 1}])
    resp = api.get("/orders", params={"where": where})
    assert resp.status_code == 503  # the other captured 503 body: lower case, no info
    assert resp.json() == {"error": "unknown error", "status": 503, "code": "UNKNOWN_ERROR"}
    assert api.get("/orders", params={"orderBy": json.dumps({"id": "desc"})}).status_code == 503
    events = api.get("/events", params={"where": where})
    assert events.status_code == 200 and events.json()["paging"]["perPage"] == 10


def test_post_on_the_orders_list_is_503(api):
    resp = api.rest("POST", "/orders", {"where": [{"column": "payed", "value": 1}], "page": 1})
    assert resp.status_code == 503  # exactly the body captured for this request
    assert resp.json() == {"error": "Unknown error", "status": 503, "code": "UNKNOWN_ERROR", "info": []}


@pytest.mark.parametrize(
    "method,path,body,field",
    [
        ("POST", "/clients", {}, "data"),
        ("POST", "/clients", {"email": "flat@example.com", "name": "Flat"}, "data"),
        ("POST", "/clients", {"data": {"details": {"name": "Без почты"}}}, "email"),
        ("POST", "/clients", {"data": {"email": "not-an-email"}}, "email"),
        ("POST", "/events", {"name": "Flat event", "start_date": "2026-12-01T19:00:00+03:00"}, "data"),
        ("POST", "/events", {"data": {"name": "Нет показов"}}, "shows"),
        ("POST", "/promo-codes", {"code": "PROMO10", "discount_type": "percent", "discount_value": 10}, "data"),
        ("POST", "/promo-codes", {"data": {"code": "X1", "discount_id": 999999}}, "discount_id"),
    ],
)
def test_bad_write_bodies_are_422(api, method, path, body, field):
    resp = api.rest(method, path, body)
    assert resp.status_code == 422, resp.text
    out = resp.json()
    assert out["error"] and out["status"] == 422 and out["code"] == "VALIDATION_ERROR" and field in out["info"]


def test_json_content_type_and_cache_headers(api):
    resp = api.get("/color-themes")
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["Cache-Control"] == "no-cache, private"
