"""The ONE QTickets client (REST v1 + Partners) and its Dagster resource.

    client = QTicketsResource.from_env().get_client()
    for page in client.iter_pages("orders", where=[...]):   # pages stream in completion order
        ...
    client.get("events/12"); client.partners("events/lists"); client.raw_request("rest", "GET", "orders")

Every request of the process to one base URL draws from one rate budget and one concurrency limit
(budget.py). Typed errors (errors.py) name the setting to fix and never carry a token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from .answers import classify, parse_json
from .budget import shared_limits
from .decoding import decode_answer
from .errors import SETTING_ENV, ApiRequestError, ApiUnavailable, BadPayload, WritesDisabled
from .filters import split_matching
from .paging import Paging, list_body, list_items, page_count, read_paging, remaining_pages
from .parallel import stream_map
from .transport import ClientStats, Exchange, RetryPolicy, Transport, header_value

# QTickets publishes no rate limit (docs/qtickets_api.md#rate-limits), so the default budget is a polite one:
# with 8 requests in flight a 150 ms API gives at most ~50 requests/s, so the concurrency limit paces the usual
# case and the budget caps a fast API. It is per API (REST and Partners) and per process; every load of a run's
# staging step draws from it. At scale it bounds a first full load (bench/README.md): raise it with
# QTICKETS_REQUESTS_PER_SECOND where the organiser's API allows.
DEFAULT_REQUESTS_PER_SECOND = 40.0
DEFAULT_MAX_CONCURRENCY = 8
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000  # never ask for more; the server may cap lower and says so in paging.perPage
MAX_RESCANS = 2  # extra passes when the filtered set grew while we were paging
MAX_TAIL_ROUNDS = 3  # extra tail reads when an unfiltered list grew at its end

# Partners methods with side effects (REST: every verb but GET/HEAD).
_PARTNERS_WRITES = ("tickets/add", "tickets/update", "tickets/remove")


def is_write(api: str, method: str, path: str) -> bool:
    if api == "partners":
        return path.strip("/").startswith(_PARTNERS_WRITES)
    return method.upper() not in ("GET", "HEAD")


@dataclass
class RawResponse:
    """One raw exchange for the audit: never raised, never holding a token."""

    status: int | None
    headers: dict = field(default_factory=dict)
    text: str = ""
    json: object | None = None
    latency_ms: float = 0.0
    error: str | None = None
    retries: int = 0


@dataclass
class Page:
    number: int
    items: list
    paging: Paging | None
    dropped: int = 0


class QTicketsClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        partners_base_url: str = "",
        partners_token: str = "",
        *,
        requests_per_second: float = DEFAULT_REQUESTS_PER_SECOND,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        timeout_seconds: float = 30.0,
        max_retries: int = 6,
        page_size: int = DEFAULT_PAGE_SIZE,
        allow_writes: bool = False,
        backoff_base_seconds: float = 0.5,
        backoff_max_seconds: float = 20.0,
    ):
        self.base = {
            "rest": base_url.rstrip("/"),
            "partners": (partners_base_url or _derive_partners(base_url)).rstrip("/"),
        }
        self._tokens = {"rest": token or "", "partners": partners_token or ""}
        self.page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
        self.max_concurrency = max(1, int(max_concurrency))
        self.allow_writes = allow_writes
        self.stats = ClientStats()
        policy = RetryPolicy(max_retries, backoff_base_seconds, backoff_max_seconds)
        secrets = (token, partners_token)
        self._transport = {
            api: Transport(
                shared_limits(self.base[api], requests_per_second, self.max_concurrency),
                self.stats,
                timeout_seconds,
                policy,
                secrets,
                self.max_concurrency,
            )
            for api in ("rest", "partners")
        }

    def close(self) -> None:
        for t in self._transport.values():
            t.close()

    # -- typed calls ------------------------------------------------------------------------------------
    def _request(
        self, api: str, method: str, path: str, body: Any = None, fast: Callable[[bytes], Any] | None = None
    ) -> Any:
        """`fast(content)` may decode a REST success answer itself (decoding.py); None from it = parse as usual."""
        transport = self._transport[api]
        url = f"{self.base[api]}/{path.lstrip('/')}"

        def judge(ex: Exchange):
            if fast is not None and api == "rest" and 200 <= (ex.status or 0) < 300:
                data = fast(ex.content)
                if data is not None:
                    return None, data
            outcome = classify(
                api,
                ex.status,
                header_value(ex.headers, "Content-Type") or "",
                ex.content,
                method,
                path,
                transport.secrets,
            )
            if outcome.error is not None:
                raise outcome.error
            return outcome.retry_reason, outcome.data

        result, retries, last, reason = transport.call(method, url, self._tokens[api], body, judge)
        if reason is None:
            return result
        env = SETTING_ENV[api]["base_url"]
        what = f"{method.upper()} {transport.scrub(path)}"
        if reason in ("bad_json", "truncated"):
            raise BadPayload(
                f"QTickets sent an unreadable (not JSON / cut) answer to {what} "
                f"{retries + 1} times in a row: check {env} points at the QTickets API"
            )
        last_seen = f"HTTP {last.status}" if last.status else f"{reason} {last.fault_detail}".strip()
        raise ApiUnavailable(
            f"QTickets API did not answer {what} after {retries} retries (last: {last_seen}): "
            f"check {env} or try again later",
            status=last.status,
            code=reason,
        )

    def get(self, path: str, body: Any = None, fields: tuple[str, ...] | None = None) -> Any:
        """REST GET with an optional JSON body; returns the parsed answer. With `fields`, its objects are
        decoding.RawObject: only `id` and those top-level fields decoded, the object's own bytes in `.raw`."""
        fast = partial(decode_answer, fields=("id", *fields)) if fields is not None else None
        return self._request("rest", "GET", path, body, fast)

    def partners(self, path: str, body: Any = None) -> Any:
        """A Partners read method (POST ≡ GET there); returns the `result` of a success answer."""
        if is_write("partners", "POST", path) and not self.allow_writes:
            raise WritesDisabled(f"Partners {path} changes data and allow_writes is False")
        answer = self._request("partners", "POST", path, body or {})
        return answer.get("result") if isinstance(answer, dict) else answer

    def partners_answer(self, path: str, body: Any = None) -> dict:
        """Like partners() but the whole success envelope (result + event context block)."""
        if is_write("partners", "POST", path) and not self.allow_writes:
            raise WritesDisabled(f"Partners {path} changes data and allow_writes is False")
        return self._request("partners", "POST", path, body or {})

    # -- paging --------------------------------------------------------------------------------------------
    def iter_pages(
        self,
        path: str,
        where: list[dict] | None = None,
        order_by: dict | None = None,
        page_size: int | None = None,
        extra: dict | None = None,
        fields: tuple[str, ...] | None = None,
    ) -> Iterator[Page]:
        """Every page of a REST list, page 1 first, the rest fetched concurrently and yielded as they
        complete. With `fields`, objects are decoding.RawObject: only those top-level fields (plus `id` and
        the `where` columns) decoded, the API's bytes of the object kept whole in `.raw`.
        Objects failing the local `where` re-check are dropped (stats.filtered_out); an id already yielded in
        this listing is not yielded again (stats.duplicates).

        Skip-safety: we page a set ordered by id, and a page boundary only moves if the set changes while
        we page. Every page reports the total at its own time, so we can tell:
        * With `updated_at >= cursor` objects never LEAVE the set (updated_at only grows); an object
          that changes enters it at its id position and pushes later objects towards later pages, so one
          may slip past a page we already read. Growth of a filtered listing → page it again (bounded),
          yielding only ids not seen yet.
        * Unfiltered, new objects get higher ids and are appended at the end: nothing shifts; growth →
          read only the extra tail pages.
        * A total that SHRINKS (hard deletes) shifts objects backwards: page again."""
        per_page = max(1, min(int(page_size or self.page_size), MAX_PAGE_SIZE))
        order_by = order_by or {"id": "asc"}
        seen: set = set()
        if fields is not None:  # the filter columns too: the local re-check reads them
            fields = (*fields, *(str(w.get("column", "")).split(".")[0] for w in where or ()))

        def fetch(number: int, size: int) -> Page:
            answer = self.get(path, list_body(number, size, where, order_by, extra), fields=fields)
            kept, dropped = split_matching(list_items(answer), where)
            return Page(number, kept, read_paging(answer), dropped)

        def emit(page: Page) -> Page:
            fresh = []
            for obj in page.items:
                oid = obj.get("id") if isinstance(obj, dict) else None
                if isinstance(oid, (int, str)):
                    if oid in seen:
                        self.stats.add(duplicates=1)
                        continue
                    seen.add(oid)
                fresh.append(obj)
            self.stats.add(pages=1, filtered_out=page.dropped)
            page.items = fresh
            return page

        for _ in range(MAX_RESCANS + 1):
            first = fetch(1, per_page)
            yield emit(first)
            if first.paging is None:
                return
            planned = first.paging  # perPage as the SERVER applied it
            totals = [planned.total]
            numbers = remaining_pages(planned)
            for _tail in range(MAX_TAIL_ROUNDS + 1):
                for _, page in stream_map(
                    lambda n, per_page=planned.per_page: fetch(n, per_page), numbers, self.max_concurrency
                ):
                    if page.paging is not None:
                        totals.append(page.paging.total)
                    yield emit(page)
                if min(totals) < planned.total or (where and max(totals) > planned.total):
                    break  # page again from the start
                if max(totals) > planned.total:  # appended tail only
                    last_read = page_count(planned.total, planned.per_page)
                    numbers = range(last_read, page_count(max(totals), planned.per_page) + 1)
                    planned = Paging(planned.per_page, 1, max(totals))
                    totals = [planned.total]
                    continue
                return
            else:
                return  # still growing: the next run's lookback has it
            self.stats.add(rescans=1)

    def iter_objects(self, path: str, **kwargs) -> Iterator[dict]:
        for page in self.iter_pages(path, **kwargs):
            yield from page.items

    # -- raw access for the audit ------------------------------------------------------------------------
    def raw_request(
        self, api: str, method: str, path: str, json_body: Any = None, *, token: str | None = None
    ) -> RawResponse:
        """Send one request and report what came back; HTTP errors are results, not exceptions.
        Retries only transport faults and 429. `token` replaces the configured one (wrong-token cases)."""
        if api not in self.base:
            raise ValueError(f"api must be 'rest' or 'partners', not {api!r}")
        if is_write(api, method, path) and not self.allow_writes:
            raise WritesDisabled(
                f"{method.upper()} {path} on {api} is a write and allow_writes is False "
                f"(the audit must not change data unless explicitly enabled)"
            )
        transport = self._transport[api]
        use_token = self._tokens[api] if token is None else token
        url = f"{self.base[api]}/{path.lstrip('/')}"
        scrub = lambda s: transport.scrub(s, (use_token,))  # noqa: E731
        try:
            _, retries, ex, reason = transport.call(
                method, url, use_token, json_body, lambda e: ("http_429" if e.status == 429 else None, None)
            )
        except ApiRequestError as exc:
            return RawResponse(status=None, error=scrub(str(exc)))
        text = scrub(ex.text)
        ok, parsed = parse_json(text)
        error = None
        if ex.fault:
            error = scrub(f"{ex.fault}: {ex.fault_detail}".strip(": "))
        elif reason:
            error = f"retries exhausted ({reason})"
        headers = {k: scrub(str(v)) for k, v in ex.headers.items() if k.lower() != "authorization"}
        return RawResponse(
            status=ex.status,
            headers=headers,
            text=text,
            json=parsed if ok else None,
            latency_ms=round(ex.latency_ms, 1),
            error=error,
            retries=retries,
        )


def _derive_partners(base_url: str) -> str:
    """https://host/api/rest/v1 → https://host/api/partners/v1 (the documented layout)."""
    return base_url.rstrip("/").replace("/api/rest/v1", "/api/partners/v1")
