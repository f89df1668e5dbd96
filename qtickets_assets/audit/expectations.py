"""Compare one API answer with a case's expectation. Pure: no I/O, unit-tested.

`problems()` returns the list of mismatches (empty = the answer is what the plan expects); `is_error_expectation`
tells "passed" from "expected error" for a matching answer; `describe_*` give the one-line texts of the test matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qtickets_assets.json_paths import dig


@dataclass(frozen=True)
class Answer:
    """What the runner got back (a thin view of the client's RawResponse)."""

    status: int | None
    content_type: str
    json: Any
    text: str
    error: str | None = None


_TRUE = {True, "1", "true", "True"}
_FALSE = {False, "0", "false", "False"}


def same(actual: Any, expected: Any) -> bool:
    """Loose equality across the API's type drift: booleans vs 0/1 (payed true vs filter value 1, is_active 0/1),
    ids as int vs string (Partners ticket ids come back as "27061" or 27061)."""
    if expected is None or actual is None:
        return actual is None and expected is None
    if isinstance(expected, bool) or isinstance(actual, bool):
        for group in (_TRUE, _FALSE):
            try:
                if actual in group and expected in group:
                    return True
            except TypeError:
                return False
        return False
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(actual) == float(expected)
    return str(actual) == str(expected)


def _statuses(expect: dict) -> list[int] | None:
    st = expect.get("status")
    if st is None:
        return [404] if expect.get("shape") == "html_404" else None
    return [int(s) for s in (st if isinstance(st, list) else [st])]


def is_error_expectation(expect: dict) -> bool:
    statuses = _statuses(expect) or []
    return (
        any(s >= 400 for s in statuses) or expect.get("shape") == "html_404" or expect.get("partners_status") == "error"
    )


def _is_html(ans: Answer) -> bool:
    return ans.json is None and ("html" in ans.content_type.lower() or ans.text.lstrip().startswith("<"))


def _items(body: Any) -> list | None:
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, list):
            return data
        if isinstance(data, dict):  # seats map keyed by seat id
            return list(data.values())
    return None


def _shape_problem(shape: str, ans: Answer) -> str | None:
    j = ans.json
    if shape == "html_404":
        return None if ans.status == 404 and _is_html(ans) else "expected the HTML 404 page (no such route)"
    if shape == "json":
        return None if j is not None else "answer is not JSON"
    if shape == "bare_array":
        return None if isinstance(j, list) else "expected a bare JSON array"
    if shape == "object":
        return None if isinstance(j, dict) else "expected a JSON object"
    if not isinstance(j, dict):
        return f"expected {shape}, answer is not a JSON object"
    data = j.get("data")
    if shape == "list_envelope":
        paging = j.get("paging")
        if not isinstance(data, list):
            return "list envelope without a data array"
        if not isinstance(paging, dict) or not {"perPage", "currentPage", "total"} <= set(paging):
            return "list envelope without paging{perPage,currentPage,total}"
        return None
    if shape == "data_list":
        return None if isinstance(data, list) else "expected {data: [...]}"
    if shape == "object_envelope":
        return None if isinstance(data, dict) else "expected {data: {...}}"
    if shape == "seats_map":
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            return "expected {data: {seat_id: seat}}"
        return None
    return f"unknown shape {shape}"


def _single(expect: dict, ans: Answer) -> list[str]:
    if ans.error and ans.status is None:
        return [f"no answer: {ans.error}"]
    out: list[str] = []
    statuses = _statuses(expect)
    if statuses is not None and ans.status not in statuses:
        out.append(f"status {ans.status}, expected {'/'.join(map(str, statuses))}")
    j = ans.json if isinstance(ans.json, dict) else {}
    if "code" in expect and j.get("code") != expect["code"]:
        out.append(f"code {j.get('code')!r}, expected {expect['code']}")
    if "shape" in expect:
        problem = _shape_problem(expect["shape"], ans)
        if problem:
            out.append(problem)
    if "per_page" in expect:
        per_page = (j.get("paging") or {}).get("perPage") if isinstance(j.get("paging"), dict) else None
        if not same(per_page, expect["per_page"]):
            out.append(f"paging.perPage {per_page}, expected {expect['per_page']}")
    if "partners_status" in expect and j.get("status") != expect["partners_status"]:
        out.append(
            f"partners status {j.get('status')!r}, expected {expect['partners_status']}"
            + (f" (code {j.get('code')})" if j.get("code") else "")
        )
    if "partners_code" in expect and j.get("code") != expect["partners_code"]:
        out.append(f"partners code {j.get('code')!r}, expected {expect['partners_code']}")
    if "result" in expect:
        want, got = expect["result"], j.get("result")
        ok = {"list": isinstance(got, list), "object": isinstance(got, dict)}.get(str(want).lower(), got is True)
        if not ok:
            out.append(f"result is {type(got).__name__}, expected {want}")
    for field, want in (expect.get("items_match") or {}).items():
        items = _items(ans.json) or []
        bad = [it for it in items if not (isinstance(it, dict) and same(it.get(field), want))]
        if bad:
            out.append(f"{len(bad)} of {len(items)} items have {field} != {want}")
    for path, want in (expect.get("data_match") or {}).items():
        target = (
            ans.json.get("data") if isinstance(ans.json, dict) and isinstance(ans.json.get("data"), dict) else ans.json
        )
        try:
            got = dig(target, path)
        except (KeyError, IndexError, TypeError):
            out.append(f"{path} missing, expected {want}")
            continue
        if not same(got, want):
            out.append(f"{path} = {got!r}, expected {want!r}")
    return out


def problems(expect: dict, ans: Answer) -> tuple[list[str], dict]:
    """Mismatches and the alternative that matched (for any_of; else `expect` itself)."""
    if "any_of" not in expect:
        return _single(expect, ans), expect
    collected: list[str] = []
    for i, alt in enumerate(expect["any_of"], 1):
        found = _single(alt, ans)
        if not found:
            return [], alt
        collected.append(f"alt {i}: " + "; ".join(found))
    return ["none of the accepted outcomes: " + " | ".join(collected)], expect


# --- one-line texts for the test matrix ---------------------------------------------------------------


def describe_expect(expect: dict) -> str:
    if "any_of" in expect:
        return "any of: " + " | ".join(describe_expect(a) for a in expect["any_of"])
    if expect.get("shape") == "html_404":
        return "HTML 404 (no such route)"
    parts = []
    statuses = _statuses(expect)
    if statuses:
        parts.append("/".join(map(str, statuses)))
    for key in ("code", "partners_status", "partners_code"):
        if key in expect:
            parts.append(str(expect[key]))
    if "shape" in expect and expect["shape"] != "json":
        parts.append(expect["shape"])
    if "per_page" in expect:
        parts.append(f"perPage {expect['per_page']}")
    if "result" in expect:
        parts.append(f"result {expect['result']}")
    return " ".join(parts) or "any answer"


def describe_answer(ans: Answer) -> str:
    if ans.status is None:
        return f"no answer ({ans.error})"
    j = ans.json
    if j is None:
        return f"{ans.status} {'HTML' if _is_html(ans) else 'non-JSON'}"
    if isinstance(j, list):
        return f"{ans.status} array of {len(j)}"
    if isinstance(j, dict):
        if j.get("code") and "error" in j:
            return f"{ans.status} {j['code']}"
        if j.get("status") in ("success", "error") and ans.status == 200:
            res = j.get("result")
            extra = f" ({len(res)} items)" if isinstance(res, list) else ""
            return f"{ans.status} {j['status']}{' ' + j['code'] if j.get('code') else ''}{extra}"
        data = j.get("data")
        if isinstance(data, list):
            paging = j.get("paging") if isinstance(j.get("paging"), dict) else {}
            tail = f", total {paging['total']}" if "total" in paging else ""
            return f"{ans.status} list of {len(data)}{tail}"
        if isinstance(data, dict):
            return f"{ans.status} object" if "id" in data else f"{ans.status} map of {len(data)}"
        return f"{ans.status} object"
    return f"{ans.status} JSON {type(j).__name__}"
