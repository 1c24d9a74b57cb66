"""Medians and C++/Python ratios from bench/run.sh's results.jsonl, as a markdown table."""
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
presets = list(dict.fromkeys(r["preset"] for r in rows))


def med(preset, impl, key):
    vals = [r[key] for r in rows if r["preset"] == preset and r["impl"] == impl and key in r]
    return statistics.median(vals) if vals else None


sgemm = statistics.median(r["sgemm_gflops"] for r in rows if "sgemm_gflops" in r)
first = rows[0]
print(f"size {first['size']}, batch {first['batch']}, {first['threads']} threads, "
      f"{first['steps']} timed steps per measurement, medians of {len(rows)} measurements in all; "
      f"sgemm ceiling (1024^3 float, same runs): {sgemm:.1f} GFLOP/s\n")
print("| preset | C++ img/s | PyTorch img/s | C++ / PyTorch | PyTorch tuned img/s | C++ / that "
      "| C++ 64 sprites (ms) | PyTorch 64 sprites (ms) | PyTorch tuned (ms) "
      "| step GFLOP | C++ GFLOP/s | share of sgemm |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for p in presets:
    c, y = med(p, "pokegan", "img_per_s"), med(p, "pytorch", "img_per_s")
    cs, ys = med(p, "pokegan", "sample_ms"), med(p, "pytorch", "sample_ms")
    t, ts = med(p, "pytorch-tuned", "img_per_s"), med(p, "pytorch-tuned", "sample_ms")
    gflop = med(p, "pytorch", "step_gflop")
    f = lambda v, fmt: "-" if v is None else fmt.format(v)
    rate = gflop * c / first["batch"] if (gflop and c) else None
    print(f"| {p} | {f(c, '{:.1f}')} | {f(y, '{:.1f}')} | {f(c / y if c and y else None, '{:.2f}x')} "
          f"| {f(t, '{:.1f}')} | {f(c / t if c and t else None, '{:.2f}x')} "
          f"| {f(cs, '{:.1f}')} | {f(ys, '{:.1f}')} | {f(ts, '{:.1f}')} "
          f"| {f(gflop, '{:.1f}')} | {f(rate, '{:.1f}')} | {f(rate / sgemm if rate else None, '{:.0%}')} |")
