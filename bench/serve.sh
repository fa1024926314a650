#!/usr/bin/env bash
# Start-up time and idle memory of `socialdesk serve` on an empty SQLite file,
# and the release binary's size. Figures go to docs/benchmarks.md.
#   bench/serve.sh [runs]        (default 20 runs; builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-20}"
cargo build --release -q -p socialdesk
bin=target/release/socialdesk
python3 - "$bin" "$runs" <<'PY'
import os, socket, statistics, subprocess, sys, tempfile, time, urllib.request

binary, runs = sys.argv[1], int(sys.argv[2])

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024

ready_ms, idle_rss = [], []
for i in range(runs):
    with tempfile.TemporaryDirectory() as d:
        port = free_port()
        url = f"http://127.0.0.1:{port}/readyz"
        t0 = time.perf_counter()
        p = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}", "--database-url", f"sqlite://{d}/bench.db",
                              "--data-dir", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                if urllib.request.urlopen(url, timeout=1).status == 200:
                    break
            except Exception:
                time.sleep(0.002)
            if time.perf_counter() - t0 > 10:
                p.kill(); sys.exit("not ready within 10 s")
        ready_ms.append((time.perf_counter() - t0) * 1000)
        if i < 3:
            time.sleep(3)
            idle_rss.append(rss_mb(p.pid))
        p.terminate(); p.wait()

size = os.path.getsize(binary) / 1024 / 1024
q = statistics.quantiles(ready_ms, n=20)
print(f"runs: {runs}")
print(f"cold start to first 200 from /readyz: median {statistics.median(ready_ms):.0f} ms, p95 {q[-1]:.0f} ms, max {max(ready_ms):.0f} ms (target < 150 ms)")
print(f"idle RSS after 3 s: {', '.join(f'{r:.1f}' for r in idle_rss)} MB (target < 30 MB)")
print(f"release binary: {size:.1f} MiB (stripped)")
PY
