"""JSON encoding the way the PHP backend does it, plus the exact error bodies of the real API.

PHP's json_encode defaults escape non-ASCII as \\uXXXX and '/' as '\\/' [INF: Laravel default options];
any JSON parser reads that back unchanged. Lone surrogates (hostile payload mode) come out as '\\udcff'.
"""

from __future__ import annotations

import json
import re

# str output before the PHP-style '\\/' (render_orders_fast assembles orders from such pieces)
encode_plain = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def dumps(obj) -> bytes:
    return encode_plain(obj).replace("/", "\\/").encode("ascii")


def rest_error(status: int, code: str, message: str, info=None) -> dict:
    return {"error": message, "status": status, "code": code, "info": [] if info is None else info}


WRONG_AUTHORIZATION = rest_error(403, "WRONG_AUTHORIZATION", "Wrong authorization")
UNKNOWN_ERROR = rest_error(503, "UNKNOWN_ERROR", "Unknown error")
# the other captured 503 body: lower-case message and no `info` [OBS]; the sandbox gives it for where/orderBy
# sent as a string in the query string of /orders (the capture's request was not recorded) [INF]
UNKNOWN_ERROR_BARE = {"error": "unknown error", "status": 503, "code": "UNKNOWN_ERROR"}
TOO_MANY_REQUESTS = rest_error(429, "TOO_MANY_REQUESTS", "Too many requests")
GATEWAY_TIMEOUT = rest_error(504, "GATEWAY_TIMEOUT", "Gateway timeout")


def not_found(resource: str, raw_id) -> dict:
    return rest_error(
        404, "RESOURCE_NOT_FOUND", f'Resource "{resource}" not found', {"id": php_int(raw_id), "resource": resource}
    )


def validation_error(info: dict) -> dict:
    return rest_error(422, "VALIDATION_ERROR", "Validation error", info)


_PHP_INT = re.compile(r"^[ \t\n\r\v\f]*([+-]?[0-9]+)")


def php_int(raw) -> int:
    """PHP (int) cast of a path segment: optional leading whitespace and sign, then the leading ASCII digits,
    else 0 ('colors' -> 0, '12abc' -> 12, '-5' -> -5)."""
    if isinstance(raw, int):
        return raw
    m = _PHP_INT.match(str(raw))
    return int(m.group(1)) if m else 0


def partner_error(code: str, message: str) -> dict:
    return {"status": "error", "code": code, "message": message}


HTML_404 = (
    '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
    "<title>Страница не найдена 404 – Qtickets</title>\n</head>\n<body>\n"
    '<div class="error-page"><h1>404</h1><p>Страница не найдена</p>'
    '<p><a href="https://qtickets.ru/">Вернуться на главную</a></p></div>\n</body>\n</html>\n'
).encode()
