"""Run calls on a thread pool and hand results back AS THEY COMPLETE, with a bounded window.

The window (at most `window` calls submitted but not yet consumed) is what keeps memory flat: if the
ClickHouse inserts are slower than the API, fetching pauses instead of piling parsed pages up in RAM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def stream_map(
    fn: Callable[[T], R], items: Iterable[T], workers: int, window: int | None = None
) -> Iterator[tuple[T, R]]:
    """Yield (item, fn(item)) in completion order. The first exception cancels what is pending and is
    re-raised to the consumer. Closing the generator early cancels the rest too."""
    workers = max(1, int(workers))
    window = max(workers, int(window or workers * 2))
    source = iter(items)
    pending: dict[Future, T] = {}
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="qtickets")
    try:

        def refill() -> None:
            while len(pending) < window:
                try:
                    item = next(source)
                except StopIteration:
                    return
                pending[pool.submit(fn, item)] = item

        refill()
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                item = pending.pop(fut)
                result = fut.result()  # raises the worker's exception here
                yield item, result
            refill()
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
