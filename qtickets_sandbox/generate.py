"""Build the whole deterministic data set: same seed + anchor -> byte-identical API output."""

from __future__ import annotations

import gc
import time

from qtickets_sandbox.gen_catalog import generate_catalog
from qtickets_sandbox.gen_orders import generate_orders
from qtickets_sandbox.store import Store


def build_store(seed: int, anchor_ts: int, n_orders: int) -> Store:
    started = time.monotonic()
    gc.disable()  # millions of small long-lived records: the cyclic GC would only slow generation down
    try:
        store = Store(seed, anchor_ts, n_orders)
        generate_catalog(store, n_orders)
        generate_orders(store, n_orders)
    finally:
        gc.enable()
    gc.freeze()  # keep the generated records out of future GC passes
    store.generation_seconds = round(time.monotonic() - started, 2)
    return store
