"""Comparing an answer with a case's expectation (pure)."""

from qtickets_assets.audit.expectations import (
    Answer,
    describe_answer,
    describe_expect,
    is_error_expectation,
    problems,
    same,
)

LIST = {
    "data": [{"id": 1, "payed": True}, {"id": 2, "payed": True}],
    "paging": {"perPage": 50, "currentPage": 1, "total": 2},
}


def ok(expect, answer):
    return problems(expect, answer)[0] == []


def j(body, status=200):
    return Answer(status=status, content_type="application/json", json=body, text="")


def test_list_envelope_per_page_and_items():
    assert ok({"status": 200, "shape": "list_envelope", "per_page": 50, "items_match": {"payed": 1}}, j(LIST))
    found, _ = problems({"status": 200, "shape": "list_envelope", "per_page": 10}, j(LIST))
    assert found == ["paging.perPage 50, expected 10"]
    found, _ = problems({"items_match": {"payed": False}}, j(LIST))
    assert found == ["2 of 2 items have payed != False"]
    assert not ok({"shape": "list_envelope"}, j({"data": [], "meta": {"has_next": False}}))


def test_rest_errors_and_html_404():
    nf = j(
        {
            "error": 'Resource "Order" not found',
            "status": 404,
            "code": "RESOURCE_NOT_FOUND",
            "info": {"id": 9, "resource": "Order"},
        },
        404,
    )
    assert ok({"status": 404, "code": "RESOURCE_NOT_FOUND", "data_match": {"info.resource": "Order"}}, nf)
    assert not ok({"status": 404, "code": "RESOURCE_NOT_FOUND", "data_match": {"info.resource": "Event"}}, nf)
    html = Answer(status=404, content_type="text/html; charset=UTF-8", json=None, text="<html>404</html>")
    assert ok({"shape": "html_404"}, html)
    assert not ok({"shape": "html_404"}, nf)  # a JSON 404 is not "no such route"
    assert is_error_expectation({"shape": "html_404"}) and is_error_expectation({"status": 403})
    assert not is_error_expectation({"status": 200, "partners_status": "success"})


def test_partners_envelope():
    good = j({"status": "success", "result": [{"id": 1}], "event_id": 3})
    assert ok({"status": 200, "partners_status": "success", "result": "list"}, good)
    bad = j({"status": "error", "code": "WRONG_AUTHORIZATION", "message": "Wrong authorization"})
    found, _ = problems({"status": 200, "partners_status": "success"}, bad)
    assert "WRONG_AUTHORIZATION" in found[0]
    assert ok({"status": 200, "partners_status": "error", "partners_code": "WRONG_AUTHORIZATION"}, bad)
    assert ok({"result": "true"}, j({"status": "success", "result": True}))
    assert not ok({"result": "true"}, j({"status": "success", "result": [True]}))


def test_seats_map_and_data_match():
    seats = j({"data": {"full_A-1;1": {"available": True}, "full_A-1;2": {"available": True}}})
    assert ok({"shape": "seats_map", "items_match": {"available": 1}}, seats)
    assert ok(
        {"shape": "object_envelope", "data_match": {"id": "12", "deleted_at": None}},
        j({"data": {"id": 12, "deleted_at": None}}),
    )
    assert not ok({"data_match": {"deleted_at": None}}, j({"data": {"id": 12, "deleted_at": "2025-01-01"}}))


def test_any_of_reports_the_alternative_seen():
    expect = {"any_of": [{"status": 200, "shape": "list_envelope"}, {"status": 503, "code": "UNKNOWN_ERROR"}]}
    found, matched = problems(expect, j({"error": "Unknown error", "status": 503, "code": "UNKNOWN_ERROR"}, 503))
    assert found == [] and matched["status"] == 503 and is_error_expectation(matched)
    found, _ = problems(expect, j({"x": 1}, 500))
    assert found and found[0].startswith("none of the accepted outcomes")


def test_no_answer_is_a_problem():
    found, _ = problems({"status": 200}, Answer(status=None, content_type="", json=None, text="", error="reset"))
    assert found == ["no answer: reset"]


def test_loose_equality_and_descriptions():
    assert same(True, 1) and same(0, False) and same("27061", 27061) and not same(None, 0) and same(None, None)
    assert not same({"a": 1}, True)
    assert describe_expect({"status": 404, "code": "RESOURCE_NOT_FOUND"}) == "404 RESOURCE_NOT_FOUND"
    assert describe_expect({"shape": "html_404"}) == "HTML 404 (no such route)"
    assert describe_answer(j(LIST)) == "200 list of 2, total 2"
    assert (
        describe_answer(j({"error": "x", "status": 403, "code": "WRONG_AUTHORIZATION"}, 403))
        == "403 WRONG_AUTHORIZATION"
    )
