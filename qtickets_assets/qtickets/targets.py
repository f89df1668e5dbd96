"""Fan-out targets (which events / shows to ask about), taken from the API's own events list so each
fan-out asset is self-contained. The selection rules are pure functions over event objects."""
from __future__ import annotations

from typing import Iterable

from .rows import to_flag, to_uint

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
    return [{"event_id": to_uint(e.get("id"))} for e in events
            if _live(e) and to_uint(e.get("id"), None) is not None]


def fetch_events(client) -> list[dict]:
    # Only the fields the fan-out needs would do (select), but `select` with dotted paths is 3P lore,
    # not documented; the events list is small, so take it whole.
    return list(client.iter_objects("events", where=NOT_DELETED))
