"""Stream (object, context) pairs of one catalog resource from the API.

Lists page concurrently (client.iter_pages); fan-out resources call their endpoint once per show or
event, concurrently within the shared limits, and hand results on as they complete, so the writer can
insert while the rest is still in flight.
"""
from __future__ import annotations

from typing import Iterator

from .catalog import FANOUT_ANY_SHOW, FANOUT_EVENT, FANOUT_SHOW, CatalogEntry
from .errors import PartnersError, ResourceNotFound
from .pagination import list_items
from .streaming import stream_map
from .targets import active_shows, all_shows, fetch_events, live_events
from .window import Window


def _objects(entry: CatalogEntry, answer) -> list[tuple[object, str | None]]:
    """(object, key) pairs of one answer; key only for keyed maps (flat seats)."""
    if entry.keyed_map and isinstance(answer, dict) and isinstance(answer.get("data"), dict):
        return [(obj, str(key)) for key, obj in answer["data"].items()]
    return [(obj, None) for obj in list_items(answer)]


def iter_source(entry: CatalogEntry, client, window: Window, snapshot_ts) -> Iterator[tuple[object, dict]]:
    base_ctx = {"snapshot_ts": snapshot_ts}
    if entry.fanout == FANOUT_SHOW:
        yield from _fan_out(entry, client, active_shows(fetch_events(client)), base_ctx)
    elif entry.fanout == FANOUT_ANY_SHOW:
        yield from _fan_out(entry, client, all_shows(fetch_events(client)), base_ctx)
    elif entry.fanout == FANOUT_EVENT:
        yield from _fan_out(entry, client, live_events(fetch_events(client)), base_ctx)
    elif entry.api == "partners":
        result = client.partners(entry.endpoint, dict(entry.body)) or []
        client.stats.add(pages=1)
        for obj in result:
            yield obj, base_ctx
    elif entry.paged:
        for page in client.iter_pages(entry.endpoint, where=list(window.where) or None,
                                      page_size=entry.page_size, extra=dict(entry.body) or None,
                                      fields=entry.object_fields):
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
            client.stats.add_skip("RESOURCE_NOT_FOUND")      # the show vanished between list and call
            return [], {}
        except PartnersError as err:
            if err.code != "EVENT_NOT_FOUND":                # event not open to this partner: no tickets
                raise
            client.stats.add_skip("EVENT_NOT_FOUND")
            return [], {}

    for target, (pairs, answer_ctx) in stream_map(fetch, targets, client.max_concurrency):
        ctx = {**base_ctx, **answer_ctx, **target}
        for obj, key in pairs:
            yield obj, ({**ctx, "key": key} if key is not None else ctx)
