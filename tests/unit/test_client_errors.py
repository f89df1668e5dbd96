"""Error classification (HTML vs JSON 404, 403, Partners body errors, retryable answers) and the
guarantee that no message carries a token."""

import json

import pytest

from qtickets_assets.qtickets.client.answers import classify
from qtickets_assets.qtickets.client.api import QTicketsClient, is_write
from qtickets_assets.qtickets.client.errors import (
    ApiRequestError,
    PartnersError,
    ResourceNotFound,
    RouteNotFound,
    WritesDisabled,
    WrongAuthorization,
)

TOKEN = "sekret-token-123"
JSON = "application/json"


def err(status, body):
    return json.dumps({"error": body[0], "status": status, "code": body[1], "info": []})


def test_403_wrong_authorization_names_the_setting():
    out = classify(
        "rest", 403, JSON, err(403, ("Wrong authorization", "WRONG_AUTHORIZATION")), "GET", "orders", (TOKEN,)
    )
    assert isinstance(out.error, WrongAuthorization)
    assert "QTICKETS_TOKEN" in str(out.error) and "403" in str(out.error)


def test_json_404_is_resource_not_found_html_404_is_route_not_found():
    body = json.dumps(
        {
            "error": 'Resource "Order" not found',
            "status": 404,
            "code": "RESOURCE_NOT_FOUND",
            "info": {"id": 1, "resource": "Order"},
        }
    )
    assert isinstance(classify("rest", 404, JSON, body, "GET", "orders/1").error, ResourceNotFound)
    html = "<html><title>Страница не найдена 404 – Qtickets</title></html>"
    out = classify("rest", 404, "text/html; charset=UTF-8", html, "GET", "price-shades")
    assert isinstance(out.error, RouteNotFound) and "QTICKETS_BASE_URL" in str(out.error)
    # JSON-looking content type but an HTML body is still a route miss
    assert isinstance(classify("rest", 404, JSON, html, "GET", "x").error, RouteNotFound)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_transient_statuses_are_retried(status):
    assert (
        classify("rest", status, JSON, err(status, ("Unknown error", "UNKNOWN_ERROR")), "GET", "orders").retry_reason
        == f"http_{status}"
    )


def test_cut_json_is_retried():
    assert classify("rest", 200, JSON, '{"data": [{"id": 1}, {"id"', "GET", "orders").retry_reason == "bad_json"


def test_ok_answer_passes_data():
    out = classify(
        "rest", 200, JSON, '{"data": [], "paging": {"perPage": 50, "currentPage": 1, "total": 0}}', "GET", "orders"
    )
    assert out.error is None and out.retry_reason is None and out.data["data"] == []


def test_other_4xx_is_a_request_error():
    out = classify("rest", 422, JSON, err(422, ("Validation failed", "VALIDATION_ERROR")), "POST", "clients")
    assert isinstance(out.error, ApiRequestError) and out.error.code == "VALIDATION_ERROR"


def test_partners_errors_come_in_the_body_with_http_200():
    wrong = json.dumps({"status": "error", "code": "WRONG_AUTHORIZATION", "message": "Wrong authorization"})
    out = classify("partners", 200, JSON, wrong, "POST", "tickets/find/12")
    assert isinstance(out.error, WrongAuthorization) and "QTICKETS_PARTNERS_TOKEN" in str(out.error)
    other = json.dumps({"status": "error", "code": "EVENT_NOT_FOUND", "message": "Event not found"})
    out = classify("partners", 200, JSON, other, "POST", "tickets/find/99")
    assert isinstance(out.error, PartnersError) and out.error.code == "EVENT_NOT_FOUND"
    ok = json.dumps({"status": "success", "result": []})
    assert classify("partners", 200, JSON, ok, "POST", "events/lists").data == {"status": "success", "result": []}


def test_token_echoed_by_the_server_is_scrubbed():
    body = json.dumps({"error": f"bad token {TOKEN} / Bearer {TOKEN}", "status": 422, "code": "X"})
    out = classify("rest", 422, JSON, body, "GET", f"orders?t={TOKEN}", (TOKEN,))
    assert TOKEN not in str(out.error)


def test_write_detection():
    assert not is_write("rest", "GET", "orders")
    assert is_write("rest", "DELETE", "orders/1/baskets")
    assert is_write("rest", "POST", "clients")
    assert not is_write("partners", "POST", "tickets/find/12")
    assert not is_write("partners", "POST", "tickets/check/12/41")
    assert is_write("partners", "POST", "tickets/add/12/41")


def test_raw_request_refuses_writes_unless_enabled():
    client = QTicketsClient("http://127.0.0.1:9/api/rest/v1", TOKEN)
    with pytest.raises(WritesDisabled):
        client.raw_request("rest", "POST", "clients", {"data": {}})
    with pytest.raises(WritesDisabled):
        client.raw_request("partners", "POST", "tickets/remove/12/41", {"id": 1})
    client.close()


def test_partners_base_is_derived_from_the_rest_base():
    client = QTicketsClient("http://127.0.0.1:9/api/rest/v1/", TOKEN)
    assert client.base == {"rest": "http://127.0.0.1:9/api/rest/v1", "partners": "http://127.0.0.1:9/api/partners/v1"}
    client.close()
