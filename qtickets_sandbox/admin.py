"""Admin routes under /__sandbox/ (not QTickets): health, the stats oracle, exports, the clock, faults and
payload modes. No token, never faulted or delayed."""

from __future__ import annotations

from qtickets_sandbox import payload_modes
from qtickets_sandbox.clock import fmt
from qtickets_sandbox.http_types import Response, bytes_response, json_response
from qtickets_sandbox.model import basket_is_live, basket_is_valid_ticket
from qtickets_sandbox.partners_common import partner_events, ticket_dict
from qtickets_sandbox.reference_data import COLOR_THEMES
from qtickets_sandbox.render_catalog import barcode_items, color_themes, seat_dict
from qtickets_sandbox.resources import SPECS, record_bytes
from qtickets_sandbox.rest_write_catalog import set_catalog_state
from qtickets_sandbox.simulate import advance
from qtickets_sandbox.webhooks import WebhookConfigError, WebhookDispatcher

EXPORT_LISTS = {
    "orders": "orders",
    "clients": "clients",
    "events": "events",
    "discounts": "discounts",
    "promo_codes": "promo-codes",
    "baskets": "baskets",
}


def handle(req, parts: list[str]) -> Response:
    store, app = req.store, req.app
    name = parts[0] if parts else ""
    body = req.json if isinstance(req.json, dict) else {}
    if req.method == "GET" and name == "health" and len(parts) == 1:
        # service + sandbox identify this process unambiguously: the platform refuses write cases otherwise
        return json_response(
            {"status": "ok", "service": "qtickets-sandbox", "sandbox": True, "clock": fmt(store.clock.now())}
        )
    if req.method == "GET" and name == "stats" and len(parts) == 1:
        with store.lock:
            return json_response(stats(store, app))
    if req.method == "GET" and name == "export" and len(parts) == 2:
        with store.lock:
            return export(store, parts[1])
    if req.method == "POST" and name == "advance" and len(parts) == 1:
        minutes = body.get("minutes")
        if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or minutes < 0:
            return json_response({"error": "minutes must be a non-negative number"}, 400)
        with store.lock:
            return json_response(advance(store, minutes))
    if (
        req.method == "POST"
        and name in ("events", "shows")
        and len(parts) == 3
        and parts[2] in ("delete", "deactivate")
    ):
        with store.lock:
            return set_catalog_state(store, name, parts[1], parts[2])
    if name == "webhooks" and len(parts) == 1 and req.method in ("GET", "POST"):
        return webhooks_route(req, body)
    if name == "faults" and len(parts) == 1 and req.method in ("GET", "POST"):
        if req.method == "POST":
            try:
                app.faults.update(**{k: body.get(k) for k in ("rate", "kinds", "stall_seconds", "retry_after", "down")})
            except ValueError as err:
                return json_response({"error": str(err)}, 400)
        return json_response(app.faults.config())
    if name == "payload-mode" and len(parts) == 1 and req.method in ("GET", "POST"):
        if req.method == "POST":
            resource, mode, field = body.get("resource"), body.get("mode"), body.get("field")
            error = payload_modes.validate(resource, mode, field)
            if error:
                return json_response({"error": error}, 400)
            with store.lock:
                if mode == "none":
                    if resource in (None, "*", "all"):
                        store.payload_modes.clear()
                    else:
                        store.payload_modes.pop(resource, None)
                else:
                    store.payload_modes[resource] = {
                        "mode": mode,
                        "field": field,
                        "value": body.get("value", "sandbox-extra"),
                    }
        return json_response(store.payload_modes)
    return json_response({"error": "unknown sandbox route"}, 404)


WEBHOOK_KEYS = ("url", "secret", "events", "retry_scale")


def webhooks_route(req, body: dict) -> Response:
    """GET: delivery counters. POST {"url", "secret", "events", "retry_scale"} (any subset) reconfigures at run
    time, e.g. to point at a receiver started after the sandbox; `"url": null` stops new deliveries. The secret
    and the URL are never returned."""
    store = req.store
    with store.lock:
        if store.webhooks is None:
            store.webhooks = WebhookDispatcher()
        hooks = store.webhooks
    if req.method == "POST":
        unknown = (
            ["(the body is not a JSON object)"]
            if req.json is not None and not isinstance(req.json, dict)
            else sorted(set(body) - set(WEBHOOK_KEYS))
        )
        if unknown:
            return json_response({"error": "unknown webhook settings: " + ", ".join(unknown)}, 400)
        try:
            hooks.configure(**{k: body[k] for k in WEBHOOK_KEYS if k in body})
        except WebhookConfigError as err:
            return json_response({"error": str(err)}, 400)
    return json_response(hooks.status())


def stats(store, app) -> dict:
    orders = store.orders
    baskets = store.baskets
    sold = [b for b in baskets if b.order.payed and basket_is_live(b)]
    shows = list(store.shows_by_id.values())
    return {
        "clock": fmt(store.clock.now()),
        "seed": store.seed,
        "generation_seconds": store.generation_seconds,
        "events": len(store.events),
        "shows": len(shows),
        "orders": len(orders),
        "orders_paid": sum(1 for o in orders if o.payed),
        "orders_deleted": sum(1 for o in orders if o.deleted_at is not None),
        "orders_pending": sum(1 for o in orders if not o.payed and o.deleted_at is None),
        "baskets": len(baskets),
        "baskets_sold": len(sold),
        "baskets_refunded": sum(1 for b in baskets if b.refunded_at is not None),
        "baskets_cancelled": sum(1 for b in baskets if b.deleted_at is not None),
        "tickets_sold": sum(b.quantity for b in sold),
        "revenue_sold": sum(b.price * b.quantity for b in sold),
        "clients": len(store.clients),
        "seats": sum(len(s.event.scheme.seat_root) for s in shows),
        "barcodes": sum(1 for b in baskets if basket_is_valid_ticket(b))
        + sum(1 for t in store.ptickets if t.paid and not t.deleted and t.barcode),
        "partner_tickets": len(store.ptickets),
        "partner_tickets_paid": sum(1 for t in store.ptickets if t.paid and not t.deleted),
        "partner_tickets_deleted": sum(1 for t in store.ptickets if t.deleted),
        "discounts": len(store.discounts),
        "promo_codes": len(store.promos),
        "color_themes": len(COLOR_THEMES),
        "requests_served": app.requests_served,
        "faults_injected": dict(app.faults.counts),
        "fanout_cache": store.fanout_cache.stats(),
    }


def export(store, resource: str) -> Response:
    """Every object of a resource exactly as the API renders it (payload modes included)."""
    if resource in EXPORT_LISTS:
        spec = SPECS[EXPORT_LISTS[resource]]
        chunks = [record_bytes(store, spec, r) for r in spec.records(store)]
        return bytes_response(b"[" + b",".join(chunks) + b"]")
    if resource == "color_themes":
        cfg = store.payload_modes.get("color_themes")
        return json_response([payload_modes.apply(cfg, c, c["id"]) for c in color_themes()])
    if resource == "seats":
        cfg = store.payload_modes.get("seats")
        out = {}
        for show_id in sorted(store.shows_by_id):
            show = store.shows_by_id[show_id]
            seats = (seat_dict(show, i) for i in range(len(show.event.scheme.seat_root)))
            out[str(show_id)] = {s["id"]: payload_modes.apply(cfg, s, i) for i, s in enumerate(seats)}
        return json_response(out)
    if resource == "barcodes":
        cfg = store.payload_modes.get("barcodes")
        return json_response(
            {
                str(sid): [
                    payload_modes.apply(cfg, item, n) for n, item in enumerate(barcode_items(store.shows_by_id[sid]))
                ]
                for sid in sorted(store.shows_by_id)
            }
        )
    if resource == "partner_tickets":
        return json_response([ticket_dict(store, t, with_deleted=True) for t in store.ptickets])
    if resource == "partner_events":
        return json_response(partner_events(store))
    return json_response({"error": f"unknown export resource {resource!r}"}, 404)
