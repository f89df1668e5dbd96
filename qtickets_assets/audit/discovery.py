"""Discovery: read the API (read-only) to choose the ids the plan's placeholders stand for.

The old plan hard-coded ids (order 4360, event 33, show 41 …) that did not exist on the real account. The
audit instead picks live objects before it probes, and records each read and each choice in the log. Only
GET reads and the Partners read methods (events/lists, events/offers, tickets/find) are used here.
The choice rules (pure functions below) keep write cases apart: the basket deleted in 1.7, the one refunded
in 1.9 and the one edited in 1.8 belong to three different paid orders, and none holds the barcodes scanned
in 5.3-5.5.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from qtickets_assets.audit.expectations import describe_answer
from qtickets_assets.audit.probes import Prober, answer_code
from qtickets_assets.audit.verdict import CaseResult

PARTNER_SEATS_NEEDED = 6  # 4 held by 6.1-6.3 + 2 checked by 6.8


def generated_values(run_tag: str, now_utc: datetime, tz: str) -> dict[str, Any]:
    local = now_utc.astimezone(ZoneInfo(tz))
    iso = lambda d: d.isoformat(timespec="seconds")  # noqa: E731 - `+03:00` form, as the API wants
    show_start = (local + timedelta(days=30)).replace(hour=19, minute=0, second=0, microsecond=0)
    return {
        "RUN_TAG": run_tag,
        "AUDIT_REF": f"audit-{run_tag}",
        "AUDIT_EMAIL": f"audit-{run_tag.lower()}@example.invalid",
        "NOW_ISO": iso(local),
        "RESERVED_TO": iso(local + timedelta(days=1)),
        "RESERVED_TO_LATER": iso(local + timedelta(days=2)),
        "SHOW_START": iso(show_start),
        "SHOW_FINISH": iso(show_start + timedelta(hours=3)),
    }


# --- pure choice rules -----------------------------------------------------------------------------------


def _live(basket: dict) -> bool:
    return not basket.get("deleted_at") and not basket.get("refunded_at")


def choose_from_orders(paid: list[dict], unpaid: list[dict], barcodes_by_show: dict | None = None) -> dict:
    """Ids for the order cases. `paid`/`unpaid`: order objects as listed. `barcodes_by_show` maps a show id to
    the barcodes reserved for scanning (their baskets are not deleted/refunded/edited)."""
    out: dict[str, Any] = {}
    live_paid = [
        o for o in paid if o.get("payed") and not o.get("deleted_at") and any(_live(b) for b in o.get("baskets") or [])
    ]
    if paid:
        out["ORDER_ID"] = paid[0].get("id")
    if live_paid:
        out["PAID_ORDER_ID"] = live_paid[0]["id"]
    reserved = {str(b) for codes in (barcodes_by_show or {}).values() for b in codes}
    slots = ["DELETE", "REFUND", "EDIT"]
    for order in live_paid:
        if not slots:
            break
        basket = next(
            (b for b in order.get("baskets") or [] if _live(b) and str(b.get("barcode")) not in reserved), None
        )
        if basket is None:
            continue
        slot = slots.pop(0)
        out[f"{slot}_ORDER_ID"], out[f"{slot}_BASKET_ID"] = order["id"], basket["id"]
    out["BASKET_ID"] = out.get("EDIT_BASKET_ID")
    candidates = restore_candidates(unpaid)
    if candidates:
        out["RESTORE_ORDER_ID"] = candidates[0]["id"]
    return out


def restore_candidates(unpaid: list[dict]) -> list[dict]:
    """Cancelled orders without refunds: the only ones the API restores (documented: docs/qtickets_api.md#write-endpoints)."""
    out = []
    for order in unpaid:
        refunded = order.get("refunds") or any(b.get("refunded_at") for b in order.get("baskets") or [])
        if order.get("deleted_at") and not refunded and order.get("baskets"):
            out.append(order)
    return out


def seats_still_free(order: dict, seats_by_show: dict) -> bool:
    """A restore re-occupies the order's seats: it only succeeds when each one is still free.
    `seats_by_show[show_id]` = the flat seat map of GET /shows/{id}/seats (values with root_id, free_quantity)."""
    for b in order.get("baskets") or []:
        seats = seats_by_show.get(b.get("show_id")) or {}
        free = sum(
            int(s.get("free_quantity") or 0)
            for s in seats.values()
            if isinstance(s, dict) and s.get("root_id") == b.get("seat_id") and s.get("available")
        )
        if free < int(b.get("quantity") or 1):
            return False
    return True


def choose_show(paid: list[dict]) -> tuple[Any, Any]:
    """(event_id, show_id) of the show with the most live paid baskets (so it has barcodes to scan)."""
    counts: dict[tuple, int] = {}
    for order in paid:
        for b in order.get("baskets") or []:
            if _live(b) and b.get("barcode") and b.get("show_id") is not None:
                key = (order.get("event_id"), b["show_id"])
                counts[key] = counts.get(key, 0) + 1
    if not counts:
        return None, None
    return max(sorted(counts), key=lambda k: counts[k])


def choose_partner_seats(lists: list[dict], offers_by_show: dict[tuple, dict]) -> dict:
    """Partners event/show, offers and free seats. `offers_by_show[(event_id, show_id)]` = the `offers` map."""
    out: dict[str, Any] = {}
    shows_per_event: dict[Any, int] = {}
    for entry in lists:
        shows_per_event[entry.get("event_id")] = shows_per_event.get(entry.get("event_id"), 0) + 1
    single = [e for e, n in shows_per_event.items() if n == 1]
    if single:
        out["P_SINGLE_SHOW_EVENT_ID"] = single[0]
    for key, offers in offers_by_show.items():
        ranked = []
        for offer_id, offer in (offers or {}).items():
            seats = (offer or {}).get("seats") or {}
            free = sorted(sid for sid, s in seats.items() if isinstance(s, dict) and s.get("available"))
            ranked.append((len(free), offer_id, free, seats))
        ranked.sort(key=lambda r: (-r[0], str(r[1])))
        if not ranked or ranked[0][0] < PARTNER_SEATS_NEEDED:
            continue
        _, offer_id, free, seats = ranked[0]
        out["P_EVENT_ID"], out["P_SHOW_ID"], out["OFFER_ID"] = key[0], key[1], offer_id
        out["OFFER_ID_2"] = ranked[1][1] if len(ranked) > 1 else offer_id
        for i, sid in enumerate(free[:4], 1):
            out[f"FREE_SEAT_{i}"] = sid
            out["SEAT_PRICE" if i == 1 else f"SEAT_PRICE_{i}"] = seats[sid].get("price")
        out["CHECK_SEAT_1"], out["CHECK_SEAT_2"] = free[4], free[5]
        break
    return out


# --- the reads ---------------------------------------------------------------------------------------------


class Discovery:
    def __init__(self, prober: Prober, on_step=None):
        self.prober = prober
        self.steps: list[CaseResult] = []
        self.notes: list[str] = []
        self.on_step = on_step

    def read(self, api: str, method: str, path: str, body: Any = None) -> Any:
        raw, answer = self.prober.send(api, method, path, body, None)
        step = CaseResult(
            id=f"d.{len(self.steps) + 1}",
            title=f"discovery {path}",
            api=api,
            method=method,
            path=path,
            spec_ref="discovery",
            writes=False,
            auth="configured",
            expected="read",
            result="read",
            url=self.prober.url(api, path),
            status=answer.status,
            code=answer_code(answer),
            actual=describe_answer(answer),
            latency_ms=raw.latency_ms,
            retries=raw.retries,
            error=raw.error,
        )
        self.steps.append(step)
        if self.on_step:
            self.on_step(step)
        ok = answer.status == 200 and answer.json is not None
        if api == "partners" and isinstance(answer.json, dict) and answer.json.get("status") != "success":
            ok = False
        return answer.json if ok else None

    def run(self) -> dict[str, Any]:
        v: dict[str, Any] = {}
        page = {"orderBy": {"id": "desc"}, "page": 1, "perPage": 200}
        paid = _data(self.read("rest", "GET", "orders", {**page, "where": [{"column": "payed", "value": 1}]}))
        unpaid = _data(self.read("rest", "GET", "orders", {**page, "where": [{"column": "payed", "value": 0}]}))
        event_id, show_id = choose_show(paid)
        v.update(EVENT_ID=event_id, SHOW_ID=show_id)
        reserved: dict = {}
        if show_id is not None:
            codes = self.read("rest", "GET", f"shows/{show_id}/barcodes")
            codes = [c.get("barcode") for c in codes if isinstance(c, dict)] if isinstance(codes, list) else []
            codes = sorted(c for c in codes if c)
            if len(codes) >= 2:
                v.update(BARCODE=codes[0], BARCODE_2=codes[1])
                reserved[show_id] = codes[:2]
        v.update(choose_from_orders(paid, unpaid, reserved))
        v["RESTORE_ORDER_ID"] = self._restorable(restore_candidates(unpaid))
        clients = _data(self.read("rest", "GET", "clients", {"page": 1, "perPage": 5}))
        v["CLIENT_ID"] = clients[0].get("id") if clients else None
        discounts = _data(
            self.read("rest", "GET", "discounts", {"where": [{"column": "deleted_at", "operator": "null"}]})
        )
        v["DISCOUNT_ID"] = discounts[0].get("id") if discounts else None
        if event_id is not None:
            event = self.read("rest", "GET", f"events/{event_id}")
            data = event.get("data") if isinstance(event, dict) else None
            if isinstance(data, dict):
                v.update(SCHEME_ID=data.get("scheme_id"), CITY_ID=data.get("city_id"))
        v.update(self._partners())
        if v.get("PARTNER_BARCODE") is None and v.get("BARCODE") is not None:
            v["PARTNER_BARCODE"] = v["BARCODE"]  # the partner has no paid ticket: search a REST barcode
            self.notes.append("PARTNER_BARCODE: no partner ticket with a barcode; a REST barcode is used")
        self.notes.extend(f"{k} = {val}" for k, val in sorted(v.items()) if val is not None)
        self.notes.extend(f"{k}: nothing suitable found" for k, val in sorted(v.items()) if val is None)
        return v

    def problem(self) -> str | None:
        """The first discovery read that did not succeed, in words (explains unresolved placeholders)."""
        for step in self.steps:
            if step.status != 200 or step.code:
                return f"discovery read {step.method} {step.path} got {step.actual}"
        return None

    def _restorable(self, candidates: list[dict], tries: int = 5) -> Any:
        """The first cancelled order whose seats are still free (read through GET /shows/{id}/seats)."""
        seats_by_show: dict = {}
        for order in candidates[:tries]:
            for show_id in {b.get("show_id") for b in order.get("baskets") or []} - set(seats_by_show):
                answer = self.read(
                    "rest",
                    "GET",
                    f"shows/{show_id}/seats",
                    {"flat": True, "select": ["id", "root_id", "available", "free_quantity"]},
                )
                data = answer.get("data") if isinstance(answer, dict) else None
                seats_by_show[show_id] = data if isinstance(data, dict) else {}
            if seats_still_free(order, seats_by_show):
                return order["id"]
        return None

    def _partners(self) -> dict[str, Any]:
        lists = self.read("partners", "GET", "events/lists")
        lists = lists.get("result") if isinstance(lists, dict) else None
        if not isinstance(lists, list) or not lists:
            return {}
        offers_by_show: dict[tuple, dict] = {}
        for entry in lists[:5]:  # a few shows are enough to find free seats; keep discovery short
            key = (entry.get("event_id"), entry.get("show_id"))
            answer = self.read("partners", "GET", f"events/offers/{key[0]}/{key[1]}")
            if isinstance(answer, dict):
                offers_by_show[key] = answer.get("offers") or (answer.get("result") or {}).get("offers") or {}
        out = choose_partner_seats(lists, offers_by_show)
        if "P_EVENT_ID" in out:
            found = self.read("partners", "POST", f"tickets/find/{out['P_EVENT_ID']}", {"filter": {}})
            tickets = found.get("result") if isinstance(found, dict) else None
            with_code = [t for t in tickets or [] if isinstance(t, dict) and t.get("barcode")]
            if with_code:
                out["PARTNER_TICKET_ID"], out["PARTNER_BARCODE"] = with_code[0].get("id"), with_code[0]["barcode"]
        return out


def _data(answer: Any) -> list:
    data = answer.get("data") if isinstance(answer, dict) else None
    return data if isinstance(data, list) else []
