"""REST v1 routing: the documented operations plus the observed undocumented routes.

A path that matches no route, or a route with the wrong verb (PATCH …), gets the site's HTML 404 page —
before any token check, as observed for /events/{id}/seats. Then the Bearer token (403 otherwise),
then the handler under the store lock; validation problems become 422 VALIDATION_ERROR.
"""

from __future__ import annotations

import re

from qtickets_sandbox import rest_read as r
from qtickets_sandbox import rest_write_catalog as wc
from qtickets_sandbox import rest_write_orders as wo
from qtickets_sandbox.http_types import Response, html_404, json_response
from qtickets_sandbox.jsonio import UNKNOWN_ERROR, WRONG_AUTHORIZATION, validation_error
from qtickets_sandbox.query import QueryError
from qtickets_sandbox.validation import ValidationFailed

SEG = r"([^/]+)"
ROUTES = [
    ("GET", "orders", lambda req: r.list_resource(req, "orders")),
    ("POST", "orders", wo.post_orders),
    ("GET", f"orders/{SEG}", lambda req, i: r.get_one(req, "orders", i)),
    ("DELETE", f"orders/{SEG}/baskets", wo.delete_baskets),
    ("POST", f"orders/{SEG}/restore", wo.restore_order),
    ("GET", "baskets", lambda req: r.list_resource(req, "baskets")),
    ("PUT", f"baskets/{SEG}", wo.put_basket),
    ("GET", "clients", lambda req: r.list_resource(req, "clients")),
    ("POST", "clients", wc.post_clients),
    ("GET", f"clients/{SEG}", lambda req, i: r.get_one(req, "clients", i)),
    ("GET", "events", lambda req: r.list_resource(req, "events")),
    ("POST", "events", wc.post_events),
    ("GET", f"events/{SEG}", lambda req, i: r.get_one(req, "events", i)),
    ("PUT", f"events/{SEG}", wc.put_event),
    ("GET", f"shows/{SEG}/seats", r.show_seats),
    ("GET", "color-themes", r.get_color_themes),
    ("GET", "discounts", lambda req: r.list_resource(req, "discounts")),
    ("GET", f"discounts/{SEG}", lambda req, i: r.get_one(req, "discounts", i)),
    ("GET", "promo-codes", lambda req: r.list_resource(req, "promo-codes")),
    ("POST", "promo-codes", wc.post_promo),
    ("PUT", f"promo-codes/{SEG}", wc.put_promo),
    ("GET", f"shows/{SEG}/barcodes", r.show_barcodes),
    ("POST", f"shows/{SEG}/barcodes", wo.batch_scans),
    ("GET", f"shows/{SEG}/barcode/{SEG}", r.barcode_info),
    ("POST", f"shows/{SEG}/barcode/{SEG}", wo.scan_barcode),
]
COMPILED = [(method, re.compile(f"^{pattern}$"), handler) for method, pattern, handler in ROUTES]


def match(method: str, rel_path: str):
    for m, rx, handler in COMPILED:
        hit = rx.match(rel_path)
        if hit and m == method:
            return handler, hit.groups()
    return None, None


def is_write(method: str) -> bool:
    return method in ("POST", "PUT", "DELETE")


def authorized(req) -> bool:
    scheme, _, token = req.headers.get("authorization", "").strip().partition(" ")
    return scheme.lower() == "bearer" and token.strip() == req.app.token


def handle(req, rel_path: str) -> Response:
    handler, args = match(req.method, rel_path.strip("/"))
    if handler is None:
        return html_404()
    if not authorized(req):
        return json_response(WRONG_AUTHORIZATION, 403)
    with req.store.lock:
        try:
            return handler(req, *args)
        except (ValidationFailed, QueryError) as err:
            return json_response(validation_error(err.info), 422)
        except Exception:  # noqa: BLE001 - a server-side failure is the observed 503 UNKNOWN_ERROR envelope
            return json_response(UNKNOWN_ERROR, 503)
