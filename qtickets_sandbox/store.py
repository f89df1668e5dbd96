"""The sandbox state: every record, the indexes over them, id counters and the change version.

One re-entrant lock guards everything (the GIL serialises Python work anyway); `version` grows on every
mutation and keys the query cache, so a cached filtered/sorted id list is never served after a change.
"""

from __future__ import annotations

import heapq
import random
import threading
from collections import OrderedDict

from qtickets_sandbox.clock import SandboxClock
from qtickets_sandbox.fanout import DEFAULT_BUDGET_MB, FanoutCache


class Store:
    def __init__(self, seed: int, anchor_ts: int, n_orders: int):
        self.seed = seed
        self.n_orders_requested = n_orders
        self.clock = SandboxClock(anchor_ts)
        self.lock = threading.RLock()
        self.version = 0
        self.schemes = []
        self.events, self.events_by_id = [], {}
        self.shows_by_id = {}
        self.orders, self.orders_by_id = [], {}
        self.baskets, self.baskets_by_id = [], {}
        self.clients, self.clients_by_id, self.clients_by_email = [], {}, {}
        self.discounts, self.discounts_by_id = [], {}
        self.promos, self.promos_by_id = [], {}
        self.ptickets, self.ptickets_by_id = [], {}
        self.barcode_index = {}  # barcode -> Basket | PartnerTicket (kept after cancellation)
        self.hold_heap = []  # (reserved_to, ticket id) of partner holds; stale entries are skipped
        self.fanout_cache = FanoutCache(DEFAULT_BUDGET_MB * 2**20)
        self.webhooks = None  # a webhooks.WebhookDispatcher once serving (never during generation)
        self.next_ids = {
            "event": 3001,
            "show": 40001,
            "price": 70001,
            "order": 100001,
            "basket": 600001,
            "client": 2001,
            "discount": 301,
            "promo": 5001,
            "pticket": 120001,
            "refund": 9001,
        }
        self.barcode_rng = random.Random(f"{seed}:barcodes")
        self.sim_rng = random.Random(f"{seed}:simulation")
        self.advance_count = 0
        self.query_cache = OrderedDict()
        self.payload_modes = {}  # resource -> {"mode","field","value"}
        self.generation_seconds = 0.0

    def next_id(self, kind: str) -> int:
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    def changed(self) -> None:
        """Call after every mutation: invalidates cached query results."""
        self.version += 1

    def new_barcode(self) -> str:
        while True:
            code = str(self.barcode_rng.randrange(10**11, 10**12))
            if code not in self.barcode_index:
                return code

    # -- registration helpers (keep the indexes in one place) --
    def add_event(self, event):
        self.events.append(event)
        self.events_by_id[event.id] = event
        for show in event.shows:
            self.shows_by_id[show.id] = show

    def add_order(self, order):
        self.orders.append(order)
        self.orders_by_id[order.id] = order
        for b in order.baskets:
            self.add_basket(b)

    def add_basket(self, basket):
        self.baskets.append(basket)
        self.baskets_by_id[basket.id] = basket
        basket.show.baskets.append(basket)
        if basket.barcode is not None:
            self.barcode_index[basket.barcode] = basket

    def add_client(self, client):
        self.clients.append(client)
        self.clients_by_id[client.id] = client
        self.clients_by_email[client.email.lower()] = client

    def add_pticket(self, ticket):
        self.ptickets.append(ticket)
        self.ptickets_by_id[ticket.id] = ticket
        ticket.show.ptickets.append(ticket)
        if ticket.barcode is not None:
            self.barcode_index[ticket.barcode] = ticket
        self.track_hold(ticket)

    def track_hold(self, ticket):
        """Call whenever an unpaid ticket gets a (new) reserved_to: expire_holds pops due holds off this heap."""
        if not ticket.deleted and not ticket.paid and ticket.reserved_to is not None:
            heapq.heappush(self.hold_heap, (ticket.reserved_to, ticket.id))

    def cached_query(self, key, compute):
        """LRU of filtered+sorted object lists keyed by (resource, where, orderBy, version)."""
        full_key = key + (self.version,)
        hit = self.query_cache.get(full_key)
        if hit is not None:
            self.query_cache.move_to_end(full_key)
            return hit
        result = compute()
        self.query_cache[full_key] = result
        while len(self.query_cache) > 24:
            self.query_cache.popitem(last=False)
        return result
