#!/usr/bin/env python3
"""The time-to-quality table of a long run: one markdown row per `pokegan eval` result (JSON) of
its checkpoints, with images seen, against the real floor and the shipped-model targets.

    scripts/curve.py out/long/m*.json [--batch 64]
"""
import argparse, json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--batch", type=int, default=64)
    a = ap.parse_args()
    rows = sorted((json.load(open(f)) for f in a.files), key=lambda j: j["step"])
    print("| step | images seen | FID | KID | precision | recall | coverage | type acc | diversity / real | colour | shape | near-copies feature | near-copies pixel |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for j in rows:
        m, mem = j["model"], j["memorisation"]
        print(f"| {j['step']:,} | {j['step'] * a.batch / 1000:.0f}k | {m['fid']:.1f} | {m['kid']:.3f} | {m['precision']:.2f} | "
              f"{m['recall']:.2f} | {m['coverage']:.2f} | {m['type_accuracy']:.2f} | {m['diversity_ratio']:.2f} | "
              f"{m['colour']:.3f} | {m['shape']:.2f} | {mem['feature']['model_share']:.3f} | {mem['pixel']['model_share']:.3f} |")
    r, mem = rows[-1]["real"], rows[-1]["memorisation"]
    print(f"| real floor | | {r['fid']:.1f} | {r['kid']:.3f} | {r['precision']:.2f} | {r['recall']:.2f} | {r['coverage']:.2f} | "
          f"{r['type_accuracy']:.2f} | {r['diversity_ratio']:.2f} | {r['colour']:.3f} | {r['shape']:.2f} | "
          f"{mem['feature']['floor_share']:.3f} | {mem['pixel']['floor_share']:.3f} |")
    print(f"| target (issue 11) | | ≤ {2 * r['fid']:.1f} | | | | ≥ {0.8 * r['coverage']:.2f} | ≥ {r['type_accuracy']:.2f} | ≥ 0.90 | | | "
          f"≤ {mem['feature']['floor_share']:.3f} | ≤ {mem['pixel']['floor_share']:.3f} |")


if __name__ == "__main__":
    main()
