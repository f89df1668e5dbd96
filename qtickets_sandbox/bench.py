"""Ad-hoc measurement (not a test): generation time and RSS of a big sandbox, and the requests/s of paging
through /orders at perPage 1000 with N concurrent clients.

    python -m qtickets_sandbox.bench --orders 1000000 --clients 8
"""

from __future__ import annotations

import argparse
import threading
import time

import requests

from qtickets_sandbox.testing import SandboxServer


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def page_through(sb: SandboxServer, clients: int, per_page: int) -> dict:
    headers = {"Authorization": f"Bearer {sb.token}"}
    total = requests.get(sb.rest_url + "/orders", json={"perPage": 1}, headers=headers, timeout=600).json()
    pages = -(-total["paging"]["total"] // per_page)
    counts = {"requests": 0, "bytes": 0, "orders": 0, "errors": 0}
    lock = threading.Lock()

    def worker(k: int):
        http = requests.Session()
        for page in range(1 + k, pages + 1, clients):
            resp = http.get(
                sb.rest_url + "/orders",
                json={"page": page, "perPage": per_page, "orderBy": {"id": "asc"}},
                headers=headers,
                timeout=600,
            )
            with lock:
                counts["requests"] += 1
                counts["bytes"] += len(resp.content)
                if resp.status_code == 200:
                    counts["orders"] += len(resp.json()["data"])
                else:
                    counts["errors"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    return {
        **counts,
        "pages": pages,
        "seconds": round(seconds, 2),
        "requests_per_s": round(counts["requests"] / seconds, 1),
        "orders_per_s": round(counts["orders"] / seconds),
        "mb_per_s": round(counts["bytes"] / seconds / 1e6, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--per-page", type=int, default=1000)
    ap.add_argument("--passes", type=int, default=2)
    args = ap.parse_args()
    started = time.monotonic()
    with SandboxServer(orders=args.orders, seed=42, start_timeout=3600) as sb:
        ready = time.monotonic() - started
        stats = sb.stats()
        print(
            f"ready after {ready:.1f}s (generation {stats['generation_seconds']}s), "
            f"orders={stats['orders']} baskets={stats['baskets']} clients={stats['clients']} "
            f"shows={stats['shows']} seats={stats['seats']}, RSS {rss_mb(sb.proc.pid):.0f} MB",
            flush=True,
        )
        for n in range(1, args.passes + 1):
            result = page_through(sb, args.clients, args.per_page)
            print(f"pass {n}: {result}, RSS {rss_mb(sb.proc.pid):.0f} MB", flush=True)


if __name__ == "__main__":
    main()
