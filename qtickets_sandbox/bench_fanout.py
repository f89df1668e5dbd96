"""Ad-hoc measurement (not a test): the sandbox's own cost of the per-show fan-out endpoints the platform pulls
once per show: GET /shows/{id}/seats (flat), GET /shows/{id}/barcodes and Partners tickets/find/{event}/{show}.

    python -m qtickets_sandbox.bench_fanout --orders 200000 --clients 4 --passes 2

Every show is asked once per pass, by `--clients` threads on keep-alive connections (http.client, so the
client's own cost stays small on a shared machine). Reported per endpoint and pass: requests/s, the sandbox
process's CPU time per request (from /proc/<pid>/stat) and the bytes served. Pass 1 renders every answer;
later passes can be served from the per-show caches while nothing changes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import threading
import time

from qtickets_sandbox.testing import SandboxServer

ENDPOINTS = {
    "seats": ("rest", "GET", "/shows/{show}/seats", {"flat": True}),
    "barcodes": ("rest", "GET", "/shows/{show}/barcodes", None),
    "partner_find": ("partners", "POST", "/tickets/find/{event}/{show}", {"filter": {}}),
}


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def run_pass(sb: SandboxServer, name: str, pairs: list, clients: int) -> dict:
    api, method, template, body = ENDPOINTS[name]
    prefix = "/api/rest/v1" if api == "rest" else "/api/partners/v1"
    token = sb.token if api == "rest" else sb.partners_token
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    counts = {"requests": 0, "bytes": 0, "errors": 0}
    lock = threading.Lock()

    def worker(k: int):
        conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=120)
        n = size = errors = 0
        for event_id, show_id in pairs[k::clients]:
            conn.request(method, prefix + template.format(event=event_id, show=show_id), body=payload, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            n, size = n + 1, size + len(data)
            errors += resp.status != 200
        conn.close()
        with lock:
            counts["requests"] += n
            counts["bytes"] += size
            counts["errors"] += errors

    cpu0, t0 = cpu_seconds(sb.proc.pid), time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds, cpu = time.monotonic() - t0, cpu_seconds(sb.proc.pid) - cpu0
    return {
        "endpoint": name,
        "requests": counts["requests"],
        "errors": counts["errors"],
        "seconds": round(seconds, 2),
        "requests_per_s": round(counts["requests"] / seconds, 1),
        "server_cpu_ms_per_request": round(1000 * cpu / max(1, counts["requests"]), 3),
        "mb": round(counts["bytes"] / 1e6, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, default=200_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--passes", type=int, default=2)
    ap.add_argument("--endpoints", default=",".join(ENDPOINTS))
    ap.add_argument("--cache-mb", type=float, default=None, help="--fanout-cache-mb of the sandbox")
    args = ap.parse_args()
    extra = ["--fanout-cache-mb", str(args.cache_mb)] if args.cache_mb is not None else []
    with SandboxServer(orders=args.orders, seed=42, start_timeout=3600, extra_args=extra) as sb:
        events = sb.export("events")
        pairs = [(e["id"], s["id"]) for e in events for s in e["shows"]]
        stats = sb.stats()
        print(
            f"orders={stats['orders']} shows={len(pairs)} seats={stats['seats']} barcodes={stats['barcodes']} "
            f"partner_tickets={stats['partner_tickets']} RSS {rss_mb(sb.proc.pid):.0f} MB",
            flush=True,
        )
        for name in args.endpoints.split(","):
            for n in range(1, args.passes + 1):
                result = run_pass(sb, name, pairs, args.clients)
                print(f"pass {n}: {result} RSS {rss_mb(sb.proc.pid):.0f} MB", flush=True)
        print(f"cache: {sb.stats()['fanout_cache']}", flush=True)


if __name__ == "__main__":
    main()
