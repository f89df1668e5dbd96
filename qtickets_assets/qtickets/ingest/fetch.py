"""Stream (object, context) pairs of one catalog resource from the API.

Lists page concurrently (client.iter_pages); fan-out resources call their endpoint once per show or
event, concurrently within the shared limits, and hand results on as they complete, so the writer can
insert while the rest is still in flight.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from qtickets_assets.qtickets.client.errors import PartnersError, ResourceNotFound
from qtickets_assets.qtickets.client.paging import list_items
from qtickets_assets.qtickets.client.parallel import stream_map

from .catalog import FANOUT_ANY_SHOW, FANOUT_EVENT, FANOUT_SHOW, CatalogEntry
from .columns import to_flag, to_uint

if TYPE_CHECKING:
    from .load import Window


def _objects(entry: CatalogEntry, answer) -> list[tuple[object, str | None]]:
    """(object, key) pairs of one answer; key only for keyed maps (flat seats)."""
    if entry.keyed_map and isinstance(answer, dict) and isinstance(answer.get("data"), dict):
        return [(obj, str(key)) for key, obj in answer["data"].items()]
    return [(obj, None) for obj in list_items(answer)]


class SharedLookups:
    """What several loads of one step would each ask the API for: the events list the fan-out resources start
    from (seats, barcodes and Partners tickets all walk the same shows). Fetched once, by whichever load asks
    first; the others wait for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[dict] | None = None

    def events(self, client) -> list[dict]:
        with self._lock:
            if self._events is None:
                self._events = fetch_events(client)
            return self._events


def iter_source(
    entry: CatalogEntry, client, window: Window, snapshot_ts, lookups: SharedLookups | None = None
) -> Iterator[tuple[object, dict]]:
    base_ctx = {"snapshot_ts": snapshot_ts}

    def events():
        return (lookups or SharedLookups()).events(client)

    if entry.fanout == FANOUT_SHOW:
        yield from _fan_out(entry, client, active_shows(events()), base_ctx)
    elif entry.fanout == FANOUT_ANY_SHOW:
        yield from _fan_out(entry, client, all_shows(events()), base_ctx)
    elif entry.fanout == FANOUT_EVENT:
        yield from _fan_out(entry, client, live_events(events()), base_ctx)
    elif entry.api == "partners":
        result = client.partners(entry.endpoint, dict(entry.body)) or []
        client.stats.add(pages=1)
        for obj in result:
            yield obj, base_ctx
    elif entry.paged:
        for page in client.iter_pages(
            entry.endpoint,
            where=list(window.where) or None,
            page_size=entry.page_size,
            extra=dict(entry.body) or None,
            fields=entry.object_fields,
        ):
            for obj in page.items:
                yield obj, base_ctx
    else:
        pairs = _objects(entry, client.get(entry.endpoint, dict(entry.body) or None, fields=entry.object_fields))
        client.stats.add(pages=1)
        for obj, key in pairs:
            yield obj, {**base_ctx, "key": key}


def _fan_out(entry: CatalogEntry, client, targets: list[dict], base_ctx: dict):
    def fetch(target: dict):
        path = entry.endpoint.format(**target)
        try:
            if entry.api == "partners":
                answer = client.partners_answer(path, dict(entry.body))
                # Event-scoped Partners answers carry the event context (event_id, show_id) at top level.
                context = {k: answer.get(k) for k in ("event_id", "show_id") if answer.get(k) is not None}
                client.stats.add(pages=1)
                return [(o, None) for o in (answer.get("result") or [])], context
            pairs = _objects(entry, client.get(path, dict(entry.body) or None, fields=entry.object_fields))
            client.stats.add(pages=1)
            return pairs, {}
        except ResourceNotFound:
            client.stats.add_skip("RESOURCE_NOT_FOUND")  # the show vanished between list and call
            return [], {}
        except PartnersError as err:
            if err.code != "EVENT_NOT_FOUND":  # event not open to this partner: no tickets
                raise
            client.stats.add_skip("EVENT_NOT_FOUND")
            return [], {}

    for target, (pairs, answer_ctx) in stream_map(fetch, targets, client.max_concurrency):
        ctx = {**base_ctx, **answer_ctx, **target}
        for obj, key in pairs:
            yield obj, ({**ctx, "key": key} if key is not None else ctx)


# --- fan-out targets -------------------------------------------------------------------------------------
# Fan-out targets (which events / shows to ask about), taken from the API's own events list so each
# fan-out asset is self-contained. The selection rules are pure functions over event objects.
NOT_DELETED = [{"column": "deleted_at", "operator": "null"}]


def _live(obj) -> bool:
    return isinstance(obj, dict) and obj.get("deleted_at") in (None, "")


def active_shows(events: Iterable[dict]) -> list[dict]:
    """{event_id, show_id} for every active, non-deleted show of every active, non-deleted event."""
    out = []
    for event in events:
        if not _live(event) or not to_flag(event.get("is_active")):
            continue
        event_id = to_uint(event.get("id"), None)
        for show in event.get("shows") or []:
            if _live(show) and to_flag(show.get("is_active")) and to_uint(show.get("id"), None) is not None:
                out.append({"event_id": event_id, "show_id": to_uint(show.get("id"))})
    return out


def all_shows(events: Iterable[dict]) -> list[dict]:
    """{event_id, show_id} for every show (active or not) of every non-deleted event."""
    out = []
    for event in events:
        if not _live(event) or to_uint(event.get("id"), None) is None:
            continue
        for show in event.get("shows") or []:
            if isinstance(show, dict) and to_uint(show.get("id"), None) is not None:
                out.append({"event_id": to_uint(event.get("id")), "show_id": to_uint(show.get("id"))})
    return out


def live_events(events: Iterable[dict]) -> list[dict]:
    """{event_id} for every non-deleted event (active or not: tickets of a closed event still count)."""
    return [{"event_id": to_uint(e.get("id"))} for e in events if _live(e) and to_uint(e.get("id"), None) is not None]


_FANOUT_FIELDS = ("id", "is_active", "deleted_at")


def fetch_events(client) -> list[dict]:
    """The events list reduced, as each page arrives, to what the fan-outs read: ids, is_active, deleted_at of
    the event and of its shows. Whole events (prices, schemes, descriptions) are ~100 times larger, and the list is
    held for the whole step: at a million orders that was most of the run's memory.
    (`select` with dotted paths would ask the API for less, but it is seen only in third-party code, not
    documented: docs/qtickets_api.md#select-and-where.)"""
    reduced = []
    for event in client.iter_objects("events", where=NOT_DELETED):
        if not isinstance(event, dict):
            continue
        slim = {k: event.get(k) for k in _FANOUT_FIELDS}
        shows = event.get("shows")
        slim["shows"] = (
            [{k: s.get(k) for k in _FANOUT_FIELDS} for s in shows if isinstance(s, dict)]
            if isinstance(shows, list)
            else []
        )
        reduced.append(slim)
    return reduced
