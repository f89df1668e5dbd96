"""iter_pages against an in-memory list (client.get replaced, no I/O): every object exactly once, the
server's page size honoured, the local filter re-check, and re-paging when the set changes mid-listing."""

from __future__ import annotations

import threading

from qtickets_assets.qtickets.client.api import QTicketsClient
from qtickets_assets.qtickets.client.filters import matches

NEW = "2025-03-01T12:00:00+03:00"
OLD = "2025-01-01T12:00:00+03:00"
CURSOR = [{"column": "updated_at", "operator": ">=", "value": "2025-02-01T00:00:00+03:00"}]


class FakeList:
    """A list endpoint: sorted by id, capped page size, optional server-side where, mutation hooks that
    fire before the n-th call is answered."""

    def __init__(self, objects, cap=200, apply_where=True):
        self.objects = {o["id"]: dict(o) for o in objects}
        self.cap, self.apply_where = cap, apply_where
        self.calls, self.hooks = 0, {}
        self.lock = threading.Lock()

    def get(self, path, body, fields=None):  # sparse decoding is not exercised here
        with self.lock:
            self.calls += 1
            hook = self.hooks.pop(self.calls, None)
            if hook:
                hook(self)
            rows = sorted(self.objects.values(), key=lambda o: o["id"])
            if self.apply_where and body.get("where"):
                rows = [o for o in rows if matches(o, body["where"])]
            per = min(body["perPage"], self.cap)
            page = body["page"]
            return {
                "data": rows[(page - 1) * per : page * per],
                "paging": {"perPage": per, "currentPage": page, "total": len(rows)},
            }


def client_over(fake, workers=1) -> QTicketsClient:
    client = QTicketsClient("http://127.0.0.1:9/api/rest/v1", "t", page_size=500, max_concurrency=workers)
    client.get = fake.get
    return client


def objs(ids, updated=NEW):
    return [{"id": i, "updated_at": updated} for i in ids]


def test_all_pages_once_with_the_capped_page_size():
    fake = FakeList(objs(range(1, 1235)), cap=200)
    client = client_over(fake, workers=4)
    ids = [o["id"] for o in client.iter_objects("orders")]
    assert sorted(ids) == list(range(1, 1235)) and len(ids) == len(set(ids))
    assert fake.calls == 7 and client.stats.pages == 7 and client.stats.rescans == 0


def test_objects_the_server_should_have_filtered_are_dropped_and_counted():
    fake = FakeList(objs(range(1, 11)) + objs(range(11, 16), updated=OLD), apply_where=False)
    client = client_over(fake)
    ids = [o["id"] for o in client.iter_objects("orders", where=CURSOR)]
    assert ids == list(range(1, 11)) and client.stats.filtered_out == 5


def test_filtered_set_growing_mid_listing_is_paged_again_without_losses():
    # 600 objects in the window; just before page 3 is answered an old object with a low id changes and
    # enters the window: everything shifts one place, so object 600 falls off the planned last page.
    fake = FakeList(objs(range(1, 601)) + objs([0], updated=OLD), cap=200)

    def touch_low_id(f):
        f.objects[0]["updated_at"] = NEW

    fake.hooks[3] = touch_low_id  # one worker: call 1 = page 1, call 2 = page 2, call 3 = page 3
    client = client_over(fake, workers=1)
    ids = [o["id"] for o in client.iter_objects("orders", where=CURSOR)]
    assert sorted(ids) == list(range(0, 601)) and len(ids) == len(set(ids))
    assert client.stats.rescans == 1 and client.stats.duplicates > 0


def test_unfiltered_append_reads_only_the_tail():
    fake = FakeList(objs(range(1, 401)), cap=200)

    def append(f):
        for i in range(401, 451):
            f.objects[i] = {"id": i, "updated_at": NEW}

    fake.hooks[2] = append
    client = client_over(fake)
    ids = [o["id"] for o in client.iter_objects("orders")]
    assert sorted(ids) == list(range(1, 451))
    assert client.stats.rescans == 0 and fake.calls == 4  # pages 1, 2, then 2 (re-read) and 3 of the tail


def test_shrinking_set_is_paged_again():
    fake = FakeList(objs(range(1, 601)), cap=200)

    def hard_delete(f):
        del f.objects[1]

    fake.hooks[2] = hard_delete
    client = client_over(fake)
    ids = [o["id"] for o in client.iter_objects("orders")]
    assert sorted(ids) == list(range(1, 601)) and client.stats.rescans == 1
