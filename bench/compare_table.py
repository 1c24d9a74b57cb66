#!/usr/bin/python3
"""One markdown table from `pokegan eval` metrics files (scripts/compare.sh): a row per run with its
step, images seen (steps x batch, from config.json beside the metrics; under an equal CPU budget this
is the model's throughput) and the metrics, then the real floor of the first file."""
import json
import sys

COLS = [("fid", "FID ↓", "%.1f"), ("intra_fid", "intra-FID ↓", "%.1f"), ("kid", "KID ↓", "%.3f"),
        ("precision", "Prec. ↑", "%.2f"), ("recall", "Recall ↑", "%.2f"), ("coverage", "Cov. ↑", "%.2f"),
        ("type_accuracy", "Type acc. ↑", "%.2f"), ("diversity_ratio", "Div. →1", "%.2f"),
        ("colour", "Colour ↓", "%.3f"), ("shape", "Shape ↓", "%.2f"), ("detail", "Detail →1", "%.2f"),
        ("stripes", "Stripes →1", "%.2f")]


def row(name, m):
    return "| " + " | ".join([name] + [(f % m[k]) if k in m else "-" for k, _, f in COLS]) + " |"


def main(paths):
    print("| run | " + " | ".join(h for _, h, _ in COLS) + " |")
    print("|---" * (len(COLS) + 1) + "|")
    floor = None
    for p in paths:
        r = json.load(open(p))
        name = p.split("/")[-2]
        try:  # images seen = steps x batch, from the run's config beside its metrics
            batch = json.load(open(p.rsplit("/", 1)[0] + "/config.json"))["batch"]
            seen = f", {r['step'] * batch / 1000:.0f}k img"
        except (OSError, KeyError, ValueError):
            seen = ""
        print(row(f"`{name}` (step {r['step']}{seen})", r["model"]))
        floor = floor or r["real"]
    if floor:
        print(row("**real floor**", floor))


if __name__ == "__main__":
    main(sys.argv[1:])
