"""The token bucket and the shared per-base-URL registry (one budget for every asset of the process)."""

import threading
import time

from qtickets_assets.qtickets.client.budget import ConcurrencyGate, TokenBucket, shared_limits


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_bucket_allows_a_burst_then_paces():
    clock = FakeClock()
    bucket = TokenBucket(rate=10, clock=clock)
    waits = [bucket.reserve() for _ in range(10)]
    assert waits == [0.0] * 10  # one second's worth of burst
    assert abs(bucket.reserve() - 0.1) < 1e-9  # then 1 / rate apart
    assert abs(bucket.reserve() - 0.2) < 1e-9  # callers queue behind each other
    clock.now += 1.0  # time pays the debt back
    assert bucket.reserve() == 0.0  # 10 - 2 owed = 8 tokens back


def test_bucket_rate_over_time():
    clock = FakeClock()
    bucket = TokenBucket(rate=20, clock=clock)
    total_wait = sum(bucket.reserve() for _ in range(60))
    # 20 free, then 40 more at 20/s: the last caller waits 2 s.
    assert abs(bucket.reserve() - (41 / 20)) < 1e-9
    assert total_wait > 0


def test_bucket_rejects_bad_rate():
    import pytest

    with pytest.raises(ValueError):
        TokenBucket(rate=0)


def test_gate_bounds_concurrency():
    gate = ConcurrencyGate(3)
    peak = []
    active = [0]
    lock = threading.Lock()

    def work():
        with gate:
            with lock:
                active[0] += 1
                peak.append(active[0])
            time.sleep(0.02)
            with lock:
                active[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(peak) == 3


def test_registry_shares_limits_per_base_url():
    a = shared_limits("http://127.0.0.1:1/api/rest/v1/", 20, 8)
    b = shared_limits("http://127.0.0.1:1/api/rest/v1", 20, 8)
    c = shared_limits("http://127.0.0.1:1/api/partners/v1", 20, 8)
    assert a is b and a is not c
    shared_limits("http://127.0.0.1:1/api/rest/v1", 5, 2)  # a reconfiguration updates in place
    assert a.bucket.rate == 5 and a.gate.limit == 2
