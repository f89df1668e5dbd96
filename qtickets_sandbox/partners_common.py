"""Partners API plumbing: PHP-style parameters (JSON body, form or query; `batch[0][seat_id]=…`),
envelopes, the event context block, event/show resolution and ticket rendering."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from qtickets_sandbox import payload_modes, seating
from qtickets_sandbox.clock import fmt
from qtickets_sandbox.jsonio import partner_error, php_int
from qtickets_sandbox.reference_data import EVENT_TYPES


class PartnerError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message

    def body(self) -> dict:
        return partner_error(self.code, self.message)


_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def php_params(pairs) -> dict:
    """[('batch[0][seat_id]', 'A-1;1'), ('filter[id][]', '5')] -> nested dicts/lists like PHP's $_REQUEST."""
    root = {}
    for key, value in pairs:
        m = _KEY.match(key)
        parts = [m.group(1)] + re.findall(r"\[([^\[\]]*)\]", m.group(2)) if m else [key]
        cur = root
        for i, part in enumerate(parts):
            if part == "":
                part = str(len(cur))
            if i == len(parts) - 1:
                cur[part] = value
            else:
                nxt = cur.get(part)
                if not isinstance(nxt, dict):
                    nxt = cur[part] = {}
                cur = nxt
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    out = {k: _listify(v) for k, v in node.items()}
    if out and all(k.isdigit() for k in out):
        return [out[k] for k in sorted(out, key=int)]
    return out


def request_params(req) -> dict:
    """GET ≡ POST: query-string parameters, overridden by a JSON object body or a form body."""
    params = php_params([(k, v) for k, vs in req.query.items() for v in vs])
    if isinstance(req.json, dict):
        params.update(req.json)
    elif req.raw and req.json is None:
        try:
            text = req.raw.decode("utf-8")
        except UnicodeDecodeError:
            text = ""
        if text and not text.lstrip().startswith(("{", "[")):
            params.update(php_params(parse_qsl(text, keep_blank_values=True)))
    return params


def success(result, context: dict | None = None) -> dict:
    out = {"status": "success"}
    if context:
        out.update(context)
    out["result"] = result
    return out


def city_block(city) -> dict:
    return {"id": city[0], "name": city[1], "timezone": city[2], "coords": list(city[3])}


def context_block(store, ev, show) -> dict:
    sc = ev.scheme
    return {
        "event_id": ev.id,
        "show_id": show.id,
        "event_name": ev.name,
        "start_date": fmt(show.start),
        "finish_date": fmt(show.finish),
        "scheme": {
            "id": sc.id,
            "venue_id": sc.venue_id,
            "place_name": ev.place_name,
            "place_address": ev.place_address,
            "place_description": ev.place_description,
            "width": sc.width,
            "height": sc.height,
        },
        "city": city_block(ev.city),
        "last_update_hash": seating.last_update_hash(store.seed, show),
    }


def is_partner_event(ev) -> bool:
    return bool(ev.partner_enabled and ev.is_active and ev.deleted_at is None)


def is_sellable(store, show) -> bool:
    return show.deleted_at is None and show.is_active and show.start > store.clock.now()


def list_entry(store, ev, show) -> dict:
    sc = ev.scheme
    return {
        "event_id": ev.id,
        "show_id": show.id,
        "event_name": ev.name,
        "start_date": fmt(show.start),
        "finish_date": fmt(show.finish),
        "scheme": {
            "id": sc.id,
            "venue_id": sc.venue_id,
            "place_name": ev.place_name,
            "place_address": ev.place_address,
            "place_description": ev.place_description,
        },
        "city": city_block(ev.city),
        "event_type": {"id": ev.event_type_id, "name": EVENT_TYPES.get(ev.event_type_id, "")},
        "age": ev.age,
        "fanid_required": bool(ev.fanid_required),
        "has_document_verification": bool(ev.doc_verification),
        "integrations": [{"source_name": "pro-culture", "source_id": ev.pushkin_id}] if ev.pushkin_id else [],
        "last_update_hash": seating.last_update_hash(store.seed, show),
    }


def partner_events(store) -> list:
    cfg = store.payload_modes.get("partner_events")
    return [
        payload_modes.apply(cfg, list_entry(store, ev, sh), sh.id)
        for ev in store.events
        if is_partner_event(ev)
        for sh in ev.shows
        if is_sellable(store, sh)
    ]


def resolve(store, raw_event, raw_show, sellable: bool):
    """-> (event, show) for an event-scoped method, or raise PartnerError."""
    ev = store.events_by_id.get(php_int(raw_event)) if raw_event is not None else None
    if ev is None or (sellable and not is_partner_event(ev)):
        raise PartnerError("EVENT_NOT_FOUND", f'Event "{raw_event or ""}" not found')
    shows = [s for s in ev.shows if s.deleted_at is None and (not sellable or is_sellable(store, s))]
    if raw_show is None:
        if len(shows) != 1:
            raise PartnerError(
                "VALIDATION_ERROR",
                "show_id is required for an event with several shows"
                if shows
                else f'Event "{raw_event}" has no show on sale',
            )
        return ev, shows[0]
    show = next((s for s in shows if s.id == php_int(raw_show)), None)
    if show is None:
        raise PartnerError("EVENT_NOT_FOUND", f'Show "{raw_show}" of event "{raw_event}" not found')
    return ev, show


def ticket_dict(store, t, id_as_str: bool = False, with_deleted: bool = False) -> dict:
    scheme = t.event.scheme
    d = {
        "id": str(t.id) if id_as_str else t.id,
        "paid": 1 if t.paid else 0,
        "paid_at": fmt(t.paid_at),
        "seat_id": scheme.seat_root[t.seat],
        "offer_id": t.offer_id,
        "admission": scheme.seat_max[t.seat] > 1,
        "payment_type_id": t.payment_type_id,
        "reserved_to": fmt(t.reserved_to),
        "external_id": t.external_id,
        "external_order_id": t.external_order_id,
        "barcode": t.barcode,
        "price": t.price,
        "client_email": t.client_email,
        "client_phone": t.client_phone,
        "client_name": t.client_name,
        "client_surname": t.client_surname,
        "client_middlename": t.client_middlename,
        "fanid_card": {"id": t.id, "value": t.fanid} if t.fanid else None,
        "visitor_user_id": t.visitor_user_id,
    }
    if with_deleted:
        d["deleted"] = 1 if t.deleted else 0
    return payload_modes.apply(store.payload_modes.get("partner_tickets"), d, t.id)
