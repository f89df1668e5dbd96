"""Turn one HTTP answer into an outcome: data, "retry this" or a typed error. Pure: no I/O.

Why the split matters (docs/qtickets_api.md#rest-errors, #partners-errors): the REST API answers errors with HTTP statuses and a
JSON envelope, except that an unknown *route* gives the site's HTML 404 page; the Partners API always
answers HTTP 200 and puts errors in the body. 429 and 5xx (503 UNKNOWN_ERROR) and a body that is not
the JSON we expect (a truncated transfer) are transient from the client's point of view: retried a
bounded number of times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qtickets_assets.privacy import redact_secrets

from .decoding import loads
from .errors import (
    SETTING_ENV,
    ApiRequestError,
    PartnersError,
    QTicketsError,
    ResourceNotFound,
    RouteNotFound,
    WrongAuthorization,
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class Outcome:
    data: Any = None
    retry_reason: str | None = None  # set when the call should be retried
    error: QTicketsError | None = None  # set when it should fail now


def parse_json(text: str | bytes) -> tuple[bool, Any]:
    """(True, value) when `text` is one complete JSON document, (False, None) otherwise."""
    try:
        return True, loads(text)
    except (ValueError, TypeError):
        return False, None


def looks_like_json(content_type: str | None, text: str | bytes) -> bool:
    ct = (content_type or "").lower()
    if "html" in ct:
        return False
    return "json" in ct or text[:64].lstrip()[:1] in ("{", "[", b"{", b"[")


def classify(
    api: str,
    status: int,
    content_type: str | None,
    text: str | bytes,
    method: str,
    path: str,
    secrets: tuple[str, ...] = (),
) -> Outcome:
    """Classify the answer of `method path` on `api` ("rest" or "partners")."""
    env = SETTING_ENV[api]
    where = f"{method.upper()} {redact_secrets(path, secrets)}"
    if status in RETRY_STATUSES:
        return Outcome(retry_reason=f"http_{status}")
    is_json = looks_like_json(content_type, text)
    ok, body = parse_json(text) if is_json else (False, None)
    code = body.get("code") if ok and isinstance(body, dict) else None
    server_msg = (
        redact_secrets(str(body.get("error") or body.get("message") or ""), secrets)
        if ok and isinstance(body, dict)
        else ""
    )

    if status in (401, 403):
        return Outcome(
            error=WrongAuthorization(
                f"QTickets rejected the token (HTTP {status} {code or 'WRONG_AUTHORIZATION'}) on {where}: "
                f"check {env['token']}",
                status=status,
                code=code or "WRONG_AUTHORIZATION",
            )
        )
    if status == 404:
        if ok and code == "RESOURCE_NOT_FOUND":
            return Outcome(
                error=ResourceNotFound(
                    f"QTickets has no such object (HTTP 404 RESOURCE_NOT_FOUND) on {where}: {server_msg}",
                    status=404,
                    code=code,
                )
            )
        return Outcome(
            error=RouteNotFound(
                f"{where} is not a QTickets route (HTTP 404 {'page' if not ok else code}): "
                f"check {env['base_url']} and the endpoint path",
                status=404,
                code=code,
            )
        )
    if status != 200 and not (200 <= status < 300):
        return Outcome(
            error=ApiRequestError(
                f"QTickets refused {where} (HTTP {status} {code or ''}): {server_msg}".rstrip(": "),
                status=status,
                code=code,
            )
        )
    if not ok:
        # A 2xx whose body is not complete JSON: most likely a cut transfer; retry.
        return Outcome(retry_reason="bad_json")
    if api == "partners" and isinstance(body, dict) and body.get("status") == "error":
        if code == "WRONG_AUTHORIZATION":
            return Outcome(
                error=WrongAuthorization(
                    f"QTickets Partners rejected the key (WRONG_AUTHORIZATION) on {where}: check {env['token']}",
                    status=status,
                    code=code,
                )
            )
        return Outcome(
            error=PartnersError(f"QTickets Partners error {code} on {where}: {server_msg}", status=status, code=code)
        )
    return Outcome(data=body)
