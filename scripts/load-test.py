#!/usr/bin/env python3
"""Load test of `pokegan serve` on loopback: N concurrent clients for a bounded time, each asking
for sheets of one type with fresh seeds. Prints requests/s, p50/p99 latency, the answers by status
(only 200 and 503 are acceptable) and the server's resident memory before and after.

    scripts/load-test.py --pid PID --url http://127.0.0.1:8080 [--clients 16] [--seconds 60] [--count 16]

Loopback only: the URL must name 127.0.0.1 or localhost. Exits 1 if any answer is neither 200 nor 503.
"""
import argparse, collections, json, threading, time, urllib.error, urllib.parse, urllib.request


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--count", type=int, default=16)
    ap.add_argument("--type", default="Fire")
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()
    host = urllib.parse.urlparse(a.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("error: the load test runs on loopback only, got host " + str(host))
    rss_before = rss_mib(a.pid)
    lat, status = [], collections.Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + a.seconds

    def client(k):
        seed = k * 1_000_000
        while time.monotonic() < deadline:
            seed += 1
            url = f"{a.url}/api/sheet.png?type={a.type}&seed={seed}&count={a.count}"
            t = time.monotonic()
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    r.read()
                    code = r.status
            except urllib.error.HTTPError as e:
                code = e.code
                if code == 503:
                    time.sleep(float(e.headers.get("Retry-After", "1")) * 0.1)
            except Exception as e:  # connection refused, reset, timeout
                code = type(e).__name__
            dt = time.monotonic() - t
            with lock:
                status[code] += 1
                if code == 200:
                    lat.append(dt)

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    rss_after = rss_mib(a.pid)
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
    res = {
        "clients": a.clients, "seconds": round(wall, 1), "count": a.count,
        "requests": sum(status.values()), "ok": status.get(200, 0), "busy_503": status.get(503, 0),
        "other": {str(k): v for k, v in status.items() if k not in (200, 503)},
        "ok_per_s": round(status.get(200, 0) / wall, 2), "sprites_per_s": round(status.get(200, 0) * a.count / wall, 1),
        "p50_ms": round(q(0.50), 1), "p99_ms": round(q(0.99), 1),
        "rss_mib_before": round(rss_before, 1), "rss_mib_after": round(rss_after, 1),
    }
    print(json.dumps(res))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    if res["other"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
