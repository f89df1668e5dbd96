"""Plain concurrent paging of GET /orders (JSON body, orderBy id asc), shared by the limit variant.

Page 1 first (it tells the total), then the rest N at a time on thread-local keep-alive sessions.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import requests


class OrdersPager:
    def __init__(self, rest_url: str, token: str, page_size: int, concurrency: int):
        self.url = rest_url.rstrip("/") + "/orders"
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.page_size = page_size
        self.concurrency = concurrency
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def fetch(self, page: int) -> bytes:
        body = {"page": page, "perPage": self.page_size, "orderBy": {"id": "asc"}}
        resp = self._session().get(self.url, json=body, headers=self.headers, timeout=120)
        resp.raise_for_status()
        return resp.content

    def page_count(self, first_page: bytes) -> int:
        import orjson

        paging = orjson.loads(first_page)["paging"]
        return max(1, math.ceil(int(paging["total"]) / int(paging["perPage"])))

    def map_pages(self, pages: list[int], fn: Callable[[bytes], object] = len) -> Iterator[object]:
        """fn(page bytes) for every page, fetched `concurrency` at a time, in page order."""
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="bench-page") as pool:
            yield from pool.map(lambda n: fn(self.fetch(n)), pages)
