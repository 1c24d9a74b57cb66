#!/usr/bin/python3
"""One markdown table from `pokegan eval` metrics files (scripts/compare.sh): a row per run with its
step, images seen, and the metrics, then the real floor of the first file."""
import json
import sys

COLS = [("fid", "FID ↓", "%.1f"), ("intra_fid", "intra-FID ↓", "%.1f"), ("kid", "KID ↓", "%.3f"),
        ("precision", "Prec. ↑", "%.2f"), ("recall", "Recall ↑", "%.2f"), ("coverage", "Cov. ↑", "%.2f"),
        ("type_accuracy", "Type acc. ↑", "%.2f"), ("diversity_ratio", "Div. →1", "%.2f"),
        ("colour", "Colour ↓", "%.3f"), ("shape", "Shape ↓", "%.2f"), ("detail", "Detail →1", "%.2f")]


def row(name, m):
    return "| " + " | ".join([name] + [(f % m[k]) if k in m else "-" for k, _, f in COLS]) + " |"


def main(paths):
    print("| run | " + " | ".join(h for _, h, _ in COLS) + " |")
    print("|---" * (len(COLS) + 1) + "|")
    floor = None
    for p in paths:
        r = json.load(open(p))
        name = p.split("/")[-2]
        print(row(f"`{name}` ({r['preset']}, step {r['step']})", r["model"]))
        floor = floor or r["real"]
    if floor:
        print(row("**real floor**", floor))


if __name__ == "__main__":
    main(sys.argv[1:])
