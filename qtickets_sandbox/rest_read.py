"""REST v1 read operations: lists, single objects, seats, barcodes, scan info, colour themes."""

from __future__ import annotations

from qtickets_sandbox import fanout, payload_modes, query
from qtickets_sandbox.clock import fmt
from qtickets_sandbox.http_types import Response, bytes_response, json_response
from qtickets_sandbox.jsonio import UNKNOWN_ERROR_BARE, dumps, not_found, php_int
from qtickets_sandbox.model import basket_is_valid_ticket
from qtickets_sandbox.partners_common import php_params
from qtickets_sandbox.render_catalog import barcode_items, color_themes, seat_dict
from qtickets_sandbox.resources import SPECS, record_bytes, select_records

SEAT_KEYS = [
    "id",
    "root_id",
    "name",
    "zone_id",
    "zone_root_id",
    "short_seat_id",
    "admission",
    "row",
    "place",
    "max_quantity",
    "free_quantity",
    "ordered_quantity",
    "available",
    "disabled",
    "ordered",
    "payed_quantity",
    "in_basket_quantity",
    "price",
    "currency_id",
    "related_seats",
    "multiprice_name",
    "multiprice_code",
    "spread",
    "color_theme_id",
    "coords",
]
BARCODE_KEYS = [
    "barcode",
    "admission",
    "price",
    "seat_name",
    "zone_name",
    "row",
    "place",
    "client_name",
    "client_surname",
    "client_middlename",
    "checked_at",
]


def body_dict(req) -> dict:
    return req.json if isinstance(req.json, dict) else {}


LIST_KEYS = ("page", "perPage", "where", "orderBy")


def list_input(req, resource: str):
    """The list parameters the way a Laravel backend reads them with $request->input() [INF]: the JSON body's
    keys win, and a key missing from the body is taken from the query string (PHP array syntax, so
    `?page=2&where[0][column]=payed&where[0][value]=1` works). Flat names the API does not read (`per_page`,
    `payed`, `since` …) stay ignored [OBS]. A `where`/`orderBy` that arrives as a plain string (JSON encoded into
    the query string) cannot be applied: /orders answers 503 [OBS], the other lists ignore it (/events answered
    200 [OBS]). -> (params, None) or (None, the 503 response)."""
    body = body_dict(req)
    if not req.query:
        return body, None
    params = dict(body)
    from_query = php_params([(k, v) for k, vs in req.query.items() for v in vs])
    for key in LIST_KEYS:
        if key in body or key not in from_query:
            continue
        value = from_query[key]
        if key in ("where", "orderBy") and isinstance(value, str):
            if resource == "orders":
                return None, json_response(UNKNOWN_ERROR_BARE, 503)
            continue
        params[key] = value
    return params, None


def list_resource(req, resource: str) -> Response:
    store, spec = req.store, SPECS[resource]
    body, refused = list_input(req, resource)
    if refused is not None:
        return refused
    page, per_page = query.parse_paging(body, spec.per_page)
    records = select_records(store, resource, body.get("where"), body.get("orderBy"))
    items, paging = query.page_slice(records, page, per_page)
    chunks = [record_bytes(store, spec, r) for r in items]
    return bytes_response(b'{"data":[' + b",".join(chunks) + b'],"paging":' + dumps(paging) + b"}")


def get_one(req, resource: str, raw_id: str) -> Response:
    store, spec = req.store, SPECS[resource]
    index = {
        "orders": store.orders_by_id,
        "clients": store.clients_by_id,
        "events": store.events_by_id,
        "discounts": store.discounts_by_id,
    }[resource]
    record = index.get(php_int(raw_id))
    if record is None:
        return json_response(not_found(spec.name, raw_id), 404)
    return bytes_response(b'{"data":' + record_bytes(store, spec, record) + b"}")


def find_show(req, raw_id):
    return req.store.shows_by_id.get(php_int(raw_id))


def _selects(select) -> bool:
    """True when `select` projects anything (an empty or non-list select returns whole objects)."""
    return isinstance(select, list) and bool(select)


def _project(obj: dict, select) -> dict:
    if not _selects(select):
        return obj
    out = {}
    for field in select:
        if not isinstance(field, str):
            continue
        path = field.split(".")
        value = query.dotted(obj, path)
        if value is None and not _has_path(obj, path):
            continue
        target = out
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return out


def _has_path(obj, path) -> bool:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return False
        obj = obj[key]
    return True


def show_seats(req, raw_id) -> Response:
    show = find_show(req, raw_id)
    if show is None:
        return json_response(not_found("Show", raw_id), 404)
    body = body_dict(req)
    pred = query.compile_where(body.get("where"), {}, SEAT_KEYS, lambda d: d, {"root_zone_id": "zone_root_id"})
    cfg = req.store.payload_modes.get("seats")
    select = body.get("select")
    flat = query.to_bool(body.get("flat")) is True
    if flat and pred is None and cfg is None and not _selects(select):
        return bytes_response(fanout.cached(req.store, "seats", show, fanout.seats_flat_body))
    seats = [seat_dict(show, i) for i in range(len(show.event.scheme.seat_root))]
    pairs = [(i, s) for i, s in enumerate(seats) if pred is None or pred(s)]
    if flat:
        data = {s["id"]: _project(payload_modes.apply(cfg, s, i), select) for i, s in pairs}
        return json_response({"data": data or []})
    zones = {}
    scheme = show.event.scheme
    for i, s in pairs:
        z = scheme.zones[scheme.seat_zone[i]]
        entry = zones.setdefault(
            s["zone_id"],
            {"id": s["zone_id"], "zone_root_id": z.id, "name": z.name, "admission": z.admission, "seats": {}},
        )
        entry["seats"][s["id"]] = _project(payload_modes.apply(cfg, s, i), select)
    return json_response({"data": zones or []})


def show_barcodes(req, raw_id) -> Response:
    show = find_show(req, raw_id)
    if show is None:
        return json_response(not_found("Show", raw_id), 404)
    select = body_dict(req).get("select")
    cfg = req.store.payload_modes.get("barcodes")
    if cfg is None and not _selects(select):
        return bytes_response(fanout.cached(req.store, "barcodes", show, fanout.barcodes_body))
    return json_response(
        [_project(payload_modes.apply(cfg, item, n), select) for n, item in enumerate(barcode_items(show))]
    )


def valid_barcode_holder(store, show, code: str):
    """The basket or partner ticket behind a currently valid barcode of this show, else None."""
    holder = store.barcode_index.get(code)
    if holder is None or holder.show is not show:
        return None
    if hasattr(holder, "order"):
        return holder if basket_is_valid_ticket(holder) else None
    return holder if holder.paid and not holder.deleted else None


def barcode_info(req, raw_id, code) -> Response:
    show = find_show(req, raw_id)
    if show is None:
        return json_response(not_found("Show", raw_id), 404)
    holder = valid_barcode_holder(req.store, show, code)
    if holder is None:
        return json_response(not_found("Barcode", code), 404)
    return json_response({"barcode": code, "checked_at": fmt(holder.checked_at)})


def get_color_themes(req) -> Response:
    cfg = req.store.payload_modes.get("color_themes")
    return json_response({"data": [payload_modes.apply(cfg, c, c["id"]) for c in color_themes()]})
