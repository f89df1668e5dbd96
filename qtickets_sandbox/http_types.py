"""Request/response value objects shared by the REST, Partners and admin handlers."""

from __future__ import annotations

from dataclasses import dataclass, field

from qtickets_sandbox.jsonio import HTML_404, dumps


@dataclass
class Request:
    method: str
    path: str
    query: dict  # name -> [values] (urllib.parse.parse_qs)
    headers: dict  # lower-cased names
    raw: bytes
    json: object = None  # parsed JSON body (None when absent or not JSON)
    store: object = None
    app: object = None


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)


def json_response(obj, status: int = 200) -> Response:
    return Response(status, dumps(obj))


def bytes_response(body: bytes, status: int = 200) -> Response:
    return Response(status, body)


def html_404() -> Response:
    return Response(404, HTML_404, "text/html; charset=UTF-8")
