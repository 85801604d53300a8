#!/usr/bin/env python3
"""Kills assign2 at random moments while it writes every output, and checks what is left.

usage: benchmarks/kill_outputs.py ASSIGN2 MAKE_SAMPLE_DATA WORK_DIR [--runs N] [--seed S]
Each run asks for W, H (.npy and TSV), the λ curve, the plot and the factor tracks, and is sent
SIGTERM or SIGKILL at a random time within its usual duration. Afterwards the final names must
hold either the previous complete set or a new complete set (every file present, W and H load
with the right shapes), never a mix; after SIGTERM no temporary (*.tmp-*) may remain. SIGKILL
cannot be caught: its temporaries are counted, then removed. Prints the count of each outcome.
"""
import argparse
import hashlib
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np


def digest(paths):
    out = []
    for p in paths:
        if not os.path.exists(p):
            out.append(None)
        else:
            out.append(hashlib.sha256(open(p, "rb").read()).hexdigest())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("assign2")
    ap.add_argument("make_sample_data")
    ap.add_argument("work")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--window", type=float, default=1.1, help="kill within this many times the first run's duration")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.work, exist_ok=True)
    data = os.path.join(args.work, "data")
    if not os.path.isdir(os.path.join(data, "tracks")):
        subprocess.run([args.make_sample_data, "-o", data, "--tracks", "6", "--chromosomes", "chr1:2000000", "-q"],
                       check=True)
    out = os.path.join(args.work, "out")
    os.makedirs(out, exist_ok=True)
    names = ["w.npy", "h.npy", "h.tsv", "curve.tsv", "plot.svg"] + [f"factors/w.factor{j}.bw" for j in (1, 2, 3)]
    paths = [os.path.join(out, n) for n in names]
    command = [args.assign2, "-b", os.path.join(data, "tracks"), "-c", "chr1", "-k", "3", "-o", paths[0],
               "--h-output", paths[1], "--h-tsv", paths[2], "--lambda-curve", paths[3], "--plot", paths[4],
               "--bigwig-out", os.path.join(out, "factors"), "-q", "--threads", "1", "--init", "random"]
    t = time.perf_counter()
    subprocess.run(command, check=True)  # the first complete set, and the run's duration
    duration = time.perf_counter() - t
    counts = {}
    for i in range(args.runs):
        before = digest(paths)
        sig = rng.choice([signal.SIGTERM, signal.SIGKILL])
        # With --init random, a new seed changes every file (W, H, the λ curve's folds, the plot, the
        # tracks), so a new set differs from the previous one in every file and a mix shows.
        p = subprocess.Popen(command + ["--seed", str(i + 1)], stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * args.window))
        p.send_signal(sig)
        p.wait()
        after = digest(paths)
        temps = [f for d in (out, os.path.join(out, "factors")) for f in os.listdir(d) if ".tmp-" in f]
        if after == before:
            outcome = "previous set intact"
        elif None not in after and all(a != b for a, b in zip(after, before)):
            w, h = np.load(paths[0]), np.load(paths[1])
            outcome = "new complete set" if w.shape == (2000000, 3) and h.shape == (3, 6) else "new set, BAD SHAPE"
        else:
            outcome = "MIXED SET"
        name = signal.Signals(sig).name
        counts[(outcome, name)] = counts.get((outcome, name), 0) + 1
        if temps:
            key = ("temporaries left", name)
            counts[key] = counts.get(key, 0) + 1
            for d in (out, os.path.join(out, "factors")):
                for f in os.listdir(d):
                    if ".tmp-" in f:
                        os.remove(os.path.join(d, f))
        lock = paths[0] + ".lock"
        if os.path.exists(lock):
            os.remove(lock)  # a killed run's lock file: harmless (flock), removed for the next run
    print(f"| outcome ({args.runs} runs killed at random within {duration * args.window:.2f} s) | signal | runs |")
    print("|---|---|---|")
    for (outcome, name), n in sorted(counts.items()):
        print(f"| {outcome} | {name} | {n} |")
    bad = sum(n for (o, s), n in counts.items() if o.startswith(("MIXED", "new set, BAD")) or
              (o == "temporaries left" and s == "SIGTERM"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
