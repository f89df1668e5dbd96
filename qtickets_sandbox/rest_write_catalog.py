"""REST v1 writes on clients (create or update by email), events (create, edit) and promo codes."""

from __future__ import annotations

import base64
from array import array

from qtickets_sandbox.clock import parse_iso
from qtickets_sandbox.gen_catalog import PAYMENTS, _ru_date
from qtickets_sandbox.http_types import Response, json_response
from qtickets_sandbox.jsonio import not_found, php_int
from qtickets_sandbox.model import Client, Event, PromoCode, Show, new
from qtickets_sandbox.people import refresh_holder
from qtickets_sandbox.reference_data import CITIES, translit
from qtickets_sandbox.render_catalog import event_dict, promo_dict, show_dict
from qtickets_sandbox.render_orders import client_dict
from qtickets_sandbox.validation import (
    EMAIL,
    ValidationFailed,
    check,
    flag,
    is_number,
    optional_str,
    optional_time,
    require_data,
)

CITY_BY_ID = {c[0]: c for c in CITIES}
EVENT_TEXT_FIELDS = (
    "name",
    "description",
    "place_name",
    "place_address",
    "place_description",
    "site_url",
    "external_id",
    "age",
)


def post_clients(req) -> Response:
    store = req.store
    data = require_data(req.json)
    email = data.get("email")
    if not isinstance(email, str) or not EMAIL.match(email.strip()):
        raise ValidationFailed({"email": "The email field is required and must be a valid email address."})
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    errors = {}
    client = store.clients_by_email.get(email.strip().lower())
    values = {
        f: optional_str(details, f, errors, getattr(client, f) if client else None)
        for f in ("name", "surname", "middlename", "phone")
    }
    check(errors)
    store.clock.tick()
    if client is None:
        client = new(Client, id=store.next_id("client"), email=email.strip(), vk_id="", facebook_id="", version=0)
        store.add_client(client)
    for f, v in values.items():
        setattr(client, f, v)
    client.version += 1
    refresh_holder(client)
    store.changed()
    return json_response({"data": client_dict(client)})


def _prices(spec, n, errors) -> list:
    prices = spec.get("prices")
    if not isinstance(prices, list) or not prices:
        errors[f"shows.{n}.prices"] = "At least one price is required."
        return []
    out = []
    for k, p in enumerate(prices):
        if not isinstance(p, dict) or not is_number(p.get("default_price")) or p["default_price"] < 0:
            errors[f"shows.{n}.prices.{k}.default_price"] = "The default_price must be a non-negative number."
            continue
        theme = php_int(p.get("color_theme", 1))
        if not 1 <= theme <= 15:
            errors[f"shows.{n}.prices.{k}.color_theme"] = "Unknown color theme."
        out.append((p.get("id"), p["default_price"], theme))
    return out


def _build_show(store, ev, spec, n, errors, ts) -> Show | None:
    start = parse_iso(spec.get("start_date"))
    if start is None:
        errors[f"shows.{n}.start_date"] = "The start_date is required and must be a valid date."
    prices = _prices(spec, n, errors)
    if errors:
        return None
    scheme = ev.scheme
    sid = store.next_id("show")
    sh = new(
        Show,
        id=sid,
        event=ev,
        name=spec.get("name") or _ru_date(start),
        start=start,
        is_active=flag(spec.get("is_active"), f"shows.{n}.is_active", errors, 1),
        open_date=optional_time(spec, "open_date", errors, start - 3600),
        finish=optional_time(spec, "finish_date", errors, start + 7200),
        sale_start=optional_time(spec, "sale_start_date", errors, ts),
        sale_finish=optional_time(spec, "sale_finish_date", errors, start),
        created_at=ts,
        updated_at=ts,
        version=1,
        touched=0,
        series=str(100_000_000 + sid * 7919 % 900_000_000),
        baskets=[],
        ptickets=[],
        disabled=scheme.disabled,
    )
    sh.prices = [[store.next_id("price"), p[1], p[2], []] for p in prices]
    zones_cfg = (
        ((spec.get("scheme_properties") or {}).get("zones") or {})
        if isinstance(spec.get("scheme_properties"), dict)
        else {}
    )
    sh.zone_price = []
    for z in scheme.zones:
        ref = str((zones_cfg.get(z.id) or {}).get("price_id", "")) if isinstance(zones_cfg, dict) else ""
        pos = min(z.tier, len(sh.prices) - 1)
        if ref.startswith("#") and ref[1:].isdigit():
            k = int(ref[1:])
            pos = k - 1 if 1 <= k <= len(sh.prices) else min(k, len(sh.prices) - 1)
        elif ref.isdigit():
            pos = next((i for i, p in enumerate(sh.prices) if p[0] == int(ref)), pos)
        sh.zone_price.append(pos)
    sh.ordered = array("H", bytes(2 * len(scheme.seat_root)))
    sh.paid = array("H", bytes(2 * len(scheme.seat_root)))
    return sh


def _poster(value, event_id):
    if not isinstance(value, str) or not value.startswith("data:"):
        return None
    head, _, payload = value.partition(",")
    try:
        size = len(base64.b64decode(payload, validate=False))
    except ValueError:
        size = 0
    return {
        "id": 880000 + event_id,
        "content_type": head[5:].split(";")[0] or "image/jpeg",
        "file_size": size,
        "url": f"https://qtickets.ru/uploads/posters/{event_id}.jpg",
    }


def _apply_event_fields(ev, data, errors) -> None:
    for f in EVENT_TEXT_FIELDS:
        setattr(ev, f, optional_str(data, f, errors, getattr(ev, f), 10000))
    ev.is_active = flag(data.get("is_active"), "is_active", errors, ev.is_active)
    if "city_id" in data:
        city = CITY_BY_ID.get(php_int(data["city_id"]))
        if city is None:
            errors["city_id"] = "Unknown city."
        else:
            ev.city = city
    for f in ("ticket_id", "mail_template_id"):
        if f in data:
            setattr(ev, f, php_int(data[f]))


def post_events(req) -> Response:
    store = req.store
    data = require_data(req.json)
    errors = {}
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        errors["name"] = "The name field is required."
    scheme = next((s for s in store.schemes if s.id == php_int(data.get("scheme_id"))), None)
    if scheme is None:
        errors["scheme_id"] = "The scheme_id field is required and must be an existing scheme."
    if php_int(data.get("city_id")) not in CITY_BY_ID:
        errors["city_id"] = "The city_id field is required and must be an existing city."
    shows = data.get("shows")
    if not isinstance(shows, list) or not shows or not all(isinstance(s, dict) for s in shows):
        errors["shows"] = "At least one show is required."
    check(errors)
    ts = store.clock.now() + 1
    eid = store.next_ids["event"]
    ev = new(
        Event,
        id=eid,
        scheme=scheme,
        is_active=1,
        created_at=ts,
        updated_at=ts,
        ticket_id=31,
        mail_template_id=41,
        age="0+",
        payments=PAYMENTS,
        event_type_id=1,
        tariffs=["full"],
        partner_enabled=True,
        fanid_required=False,
        doc_verification=False,
        popularity=1.0,
        discounts=[],
        place_name=scheme.place_name,
        place_address=scheme.place_address,
        place_description=scheme.place_description,
        description="",
    )
    _apply_event_fields(ev, data, errors)
    built = [_build_show(store, ev, s, n, errors, ts) for n, s in enumerate(shows)]
    check(errors)
    store.next_id("event")
    store.clock.tick()
    ev.slug = f"{translit(ev.name)}-{eid}"
    ev.site_url = ev.site_url or f"https://{ev.city[4]}.qtickets.events/{eid}-{ev.slug}"
    ev.poster = _poster(data.get("poster"), eid) or {
        "id": 880000 + eid,
        "content_type": "image/jpeg",
        "file_size": 0,
        "url": None,
    }
    ev.shows = built
    store.add_event(ev)
    store.changed()
    return json_response({"data": event_dict(ev)})


def put_event(req, raw_id) -> Response:
    store = req.store
    ev = store.events_by_id.get(php_int(raw_id))
    if ev is None:
        return json_response(not_found("Event", raw_id), 404)
    data = require_data(req.json)
    errors = {}
    ts = store.clock.now() + 1
    probe = new(Event, **{f: getattr(ev, f) for f in Event.__slots__})
    _apply_event_fields(probe, data, errors)
    updates, created = [], []
    for n, spec in enumerate(data.get("shows") or []):
        if not isinstance(spec, dict):
            errors[f"shows.{n}"] = "Each show must be an object."
        elif spec.get("id") is not None:
            show = next((s for s in ev.shows if s.id == php_int(spec["id"])), None)
            if show is None:
                errors[f"shows.{n}.id"] = "The show does not belong to this event."
                continue
            values = {
                "start": optional_time(spec, "start_date", errors, show.start),
                "finish": optional_time(spec, "finish_date", errors, show.finish),
                "open_date": optional_time(spec, "open_date", errors, show.open_date),
                "sale_start": optional_time(spec, "sale_start_date", errors, show.sale_start),
                "sale_finish": optional_time(spec, "sale_finish_date", errors, show.sale_finish),
                "is_active": flag(spec.get("is_active"), f"shows.{n}.is_active", errors, show.is_active),
            }
            updates.append((show, values))
        else:
            created.append(_build_show(store, ev, spec, n, errors, ts))
    check(errors)
    store.clock.tick()
    # only what changed gets a newer updated_at (a show's change is also the event's: it embeds its shows);
    # show.version moves with it, so Partners' last_update_hash and the cached seat maps follow
    fields = EVENT_TEXT_FIELDS + ("is_active", "city", "ticket_id", "mail_template_id")
    changed = any(getattr(ev, f) != getattr(probe, f) for f in fields) or bool(created)
    for f in fields:
        setattr(ev, f, getattr(probe, f))
    for show, values in updates:
        if all(getattr(show, f) == v for f, v in values.items()):
            continue
        for f, v in values.items():
            setattr(show, f, v)
        show.updated_at, show.version = ts, show.version + 1
        changed = True
    for show in created:
        ev.shows.append(show)
        store.shows_by_id[show.id] = show
    if changed:
        ev.updated_at = ts
    store.changed()
    return json_response({"data": event_dict(ev)})


def set_catalog_state(store, kind: str, raw_id, action: str) -> Response:
    """Admin (POST /__sandbox/{events|shows}/{id}/{delete|deactivate}): soft-delete or deactivate after the data
    was loaded. Deletion has no documented REST route. A deleted object keeps being listed with `deleted_at`
    set, as in real data; nothing cascades (an event's shows keep their own deleted_at) [INF]. Repeating the
    call changes nothing (`changed: false`)."""
    ident = php_int(raw_id)
    record = (store.events_by_id if kind == "events" else store.shows_by_id).get(ident)
    if record is None:
        return json_response({"error": f"unknown {kind[:-1]} {raw_id!r}"}, 404)
    changed = record.deleted_at is None if action == "delete" else bool(record.is_active)
    if changed:
        ts = store.clock.tick()
        if action == "delete":
            record.deleted_at = ts
        else:
            record.is_active = 0
        record.updated_at = ts
        if kind == "shows":
            record.event.updated_at = ts  # the event embeds its shows
            record.version += 1  # Partners' last_update_hash: the show left the sale
        store.changed()
    if kind == "events":
        return json_response({"changed": changed, "event": event_dict(record)})
    return json_response({"changed": changed, "event_id": record.event.id, "show": show_dict(record)})


def _promo_values(store, data, errors, promo=None) -> dict:
    values = {
        "is_active": flag(data.get("is_active"), "is_active", errors, promo.is_active if promo else 1),
        "active_from": optional_time(data, "active_from", errors, promo.active_from if promo else None),
        "active_to": optional_time(data, "active_to", errors, promo.active_to if promo else None),
    }
    code = data.get("code", promo.code if promo else None)
    if not isinstance(code, str) or not code.strip():
        errors["code"] = "The code field is required."
    elif any(p.code.lower() == code.strip().lower() and p.deleted_at is None and p is not promo for p in store.promos):
        errors["code"] = "The code has already been taken."
    values["code"] = code.strip() if isinstance(code, str) else code
    uses = data.get("max_uses_count", promo.max_uses_count if promo else 0)
    if not isinstance(uses, int) or isinstance(uses, bool) or uses < 0:
        errors["max_uses_count"] = "The max_uses_count must be a non-negative integer."
    values["max_uses_count"] = uses
    return values


def post_promo(req) -> Response:
    store = req.store
    data = require_data(req.json)
    errors = {}
    discount = store.discounts_by_id.get(php_int(data.get("discount_id")))
    if discount is None or discount.deleted_at is not None:
        errors["discount_id"] = "The discount_id field is required and must be an existing discount."
    values = _promo_values(store, data, errors)
    check(errors)
    ts = store.clock.tick()
    promo = new(
        PromoCode, id=store.next_id("promo"), type=0, discount_id=discount.id, created_at=ts, updated_at=ts, **values
    )
    discount.promos.append(promo)
    store.promos.append(promo)
    store.promos.sort(key=lambda p: (p.discount_id, p.code))
    store.promos_by_id[promo.id] = promo
    store.changed()
    return json_response({"data": promo_dict(promo)})


def put_promo(req, raw_id) -> Response:
    store = req.store
    promo = store.promos_by_id.get(php_int(raw_id))
    if promo is None:
        return json_response(not_found("PromoCode", raw_id), 404)
    data = require_data(req.json)
    errors = {}
    values = _promo_values(store, data, errors, promo)
    check(errors)
    promo.updated_at = store.clock.tick()
    for f, v in values.items():
        setattr(promo, f, v)
    store.promos.sort(key=lambda p: (p.discount_id, p.code))
    store.changed()
    return json_response({"data": promo_dict(promo)})
