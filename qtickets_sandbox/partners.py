"""Partners API v1: `/api/partners/v1/<group>/<method>/{event_id}/{show_id?}`; GET ≡ POST; always HTTP 200.

Success: {"status":"success", <event context>, "result": …}; errors: {"status":"error","code","message"}.
The partner key is separate from the organiser token (the REST token gets WRONG_AUTHORIZATION).
For seatmap / offers / seats the `result` is an object holding `seatmap` / `offers` / `zones` [INF].
"""

from __future__ import annotations

from qtickets_sandbox import fanout, seating
from qtickets_sandbox import partners_tickets as tickets
from qtickets_sandbox.http_types import Response, bytes_response, html_404, json_response
from qtickets_sandbox.jsonio import dumps, partner_error, php_int
from qtickets_sandbox.partners_common import (
    PartnerError,
    context_block,
    partner_events,
    request_params,
    resolve,
    success,
)
from qtickets_sandbox.reference_data import TARIFFS

EVENT_METHODS = {("events", "seatmap"), ("events", "offers"), ("events", "seats")}
TICKET_METHODS = {"add": tickets.add, "update": tickets.update, "remove": tickets.remove, "check": tickets.check}
WRITE_METHODS = {("tickets", "add"), ("tickets", "update"), ("tickets", "remove")}


def route(parts: list[str]):
    """-> (group, method, event_id, show_id) or None when the path is not a Partners method."""
    if len(parts) < 2:
        return None
    group, method, args = parts[0], parts[1], parts[2:]
    if (group, method) == ("events", "lists") and not args:
        return group, method, None, None
    if (group, method) == ("tickets", "find") and len(args) <= 2:
        return group, method, (args + [None, None])[0], (args + [None, None])[1]
    if ((group, method) in EVENT_METHODS or (group == "tickets" and method in TICKET_METHODS)) and len(args) <= 2:
        # a missing {event_id} is still the method (always HTTP 200): it answers EVENT_NOT_FOUND [INF]
        return group, method, (args[0] if args else None), (args[1] if len(args) == 2 else None)
    return None


def is_write(parts: list[str]) -> bool:
    r = route(parts)
    return r is not None and (r[0], r[1]) in WRITE_METHODS


def handle(req, parts: list[str]) -> Response:
    r = route(parts)
    if r is None:
        return html_404()
    scheme, _, key = req.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or key.strip() != req.app.partners_token:
        return json_response(partner_error("WRONG_AUTHORIZATION", "Wrong authorization"))
    group, method, raw_event, raw_show = r
    store = req.store
    with store.lock:
        tickets.expire_holds(store)
        try:
            out = _dispatch(store, req, group, method, raw_event, raw_show)
            return out if isinstance(out, Response) else json_response(out)
        except PartnerError as err:
            return json_response(err.body())
        except Exception:  # noqa: BLE001 - the Partners API answers HTTP 200 even when it fails [DOC]
            return json_response(partner_error("UNKNOWN_ERROR", "Unknown error"))


def _dispatch(store, req, group, method, raw_event, raw_show) -> dict:
    params = request_params(req)
    if group == "events" and method == "lists":
        return success(partner_events(store))
    if group == "tickets" and method == "find":
        ev = show = None
        if raw_event is not None:
            ev, show = _find_scope(store, raw_event, raw_show)
        if (
            show is not None
            and params.get("filter") in (None, "", [], {})
            and store.payload_modes.get("partner_tickets") is None
        ):
            # the platform's per-show pull: every ticket of the show, cached per show stamp (fanout.py)
            return bytes_response(
                fanout.cached(store, "partner_find", show, lambda s: dumps(success(tickets.find(store, ev, s, params))))
            )
        return success(tickets.find(store, ev, show, params))
    sellable = group == "events" or method in ("add", "check")
    ev, show = resolve(store, raw_event, raw_show, sellable)
    if group == "events":
        key, build = {"seatmap": ("seatmap", seatmap), "offers": ("offers", offers), "seats": ("zones", zones)}[method]
        result = {key: build(show)}
    else:
        result = TICKET_METHODS[method](store, ev, show, params)
    return success(result, context_block(store, ev, show))


def _find_scope(store, raw_event, raw_show):
    ev = store.events_by_id.get(php_int(raw_event))
    if ev is None:
        raise PartnerError("EVENT_NOT_FOUND", f'Event "{raw_event}" not found')
    if raw_show is None:
        return ev, None
    show = next((s for s in ev.shows if s.id == php_int(raw_show)), None)
    if show is None:
        raise PartnerError("EVENT_NOT_FOUND", f'Show "{raw_show}" of event "{raw_event}" not found')
    return ev, show


def seatmap(show) -> dict:
    sc = show.event.scheme
    zones = {}
    for z in sc.zones:
        seats = {}
        for i in range(z.start, z.end):
            seat = {"coords": [sc.seat_x[i], sc.seat_y[i]], "row": sc.seat_row[i], "place": sc.seat_place[i]}
            if z.admission:
                seat.update({"admission": True, "max_quantity": sc.seat_max[i]})
            seats[sc.seat_root[i]] = seat
        zones[z.id] = {
            "name": z.name,
            "description": z.description,
            "width": z.w,
            "height": z.h,
            "offset": [z.x, z.y],
            "seats": seats,
        }
    return {"width": sc.width, "height": sc.height, "zones": zones}


def offers(show) -> dict:
    sc = show.event.scheme
    out = {}
    for code in show.event.tariffs:
        out[code] = {
            "name": TARIFFS[code][0],
            "seats": {
                sc.seat_root[i]: {
                    "available": seating.is_available(show, i),
                    "price": seating.seat_price(show, i, code),
                }
                for i in range(len(sc.seat_root))
            },
        }
    return out


def zones(show) -> list:
    sc = show.event.scheme
    out = []
    for z in sc.zones:
        seats = []
        for i in range(z.start, z.end):
            price = seating.seat_price(show, i, show.event.tariffs[0])
            if z.admission:
                seats.append(
                    {
                        "seat_id": sc.seat_root[i],
                        "available": seating.is_available(show, i),
                        "coords": [sc.seat_x[i], sc.seat_y[i]],
                        "free_quantity": seating.free_quantity(show, i),
                        "admission": True,
                        "price": price,
                        "currency_id": "RUB",
                    }
                )
            else:
                seats.append(
                    {
                        "seat_id": sc.seat_root[i],
                        "available": seating.is_available(show, i),
                        "coords": [sc.seat_x[i], sc.seat_y[i]],
                        "row": sc.seat_row[i],
                        "place": sc.seat_place[i],
                        "price": price,
                        "currency_id": "RUB",
                    }
                )
        out.append({"zone_id": z.id, "name": z.name, "seats": seats})
    return out
