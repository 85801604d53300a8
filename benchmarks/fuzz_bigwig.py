#!/usr/bin/env python3
"""Mutation run against assign2: every mutated bigWig must give a clean error that names the file
(non-zero exit, no output, no temporary) or a W equal to the clean run's; never a crash, a
sanitizer report, a hang or a silently different W.

usage: benchmarks/fuzz_bigwig.py ASSIGN2 MAKE_SAMPLE_DATA WORK_DIR [--runs N] [--seed S] [--jobs J]
Use the sanitizer build's assign2 (build-sanitize/examples/assign2) so that memory errors count.
Mutations, one per run, in one of the files: a byte flipped; a 4- or 8-byte field set to 0,
~0, 2^63, 2^31, the file size or a random value; the file truncated; a 4 KB stretch zeroed; a
stretch copied over another. Prints the count of each outcome.
"""
import os
import random
import shutil
import struct
import subprocess
import sys

import numpy as np

from fuzz_report import parse_args, report, run_all

REGION = ["-c", "chr1", "-s", "0", "-e", "300000"]
FIT = ["-k", "3", "--lambda", "100", "--iterations", "10", "--threads", "1", "-q"]


def mutate(data: bytearray, rng: random.Random) -> str:
    n = len(data)
    kind = rng.randrange(6)
    at = rng.randrange(n)
    if kind == 0:
        data[at] ^= rng.randrange(1, 256)
        return f"flip@{at}"
    if kind == 1:
        width = rng.choice([4, 8])
        value = rng.choice([0, 2**width - 1, 2**(width - 1), 2**31, n, rng.randrange(2**width)])
        chunk = value.to_bytes(width, "little")[: max(0, n - at)]
        data[at : at + len(chunk)] = chunk
        return f"field{width}@{at}={value}"
    if kind == 2:
        del data[at:]
        return f"truncate@{at}"
    if kind == 3:
        end = min(n, at + 4096)
        data[at:end] = bytes(end - at)
        return f"zero@{at}"
    src, length = rng.randrange(n), rng.randrange(1, 4096)
    chunk = bytes(data[src : src + length])
    data[at : at + len(chunk)] = chunk[: max(0, n - at)]
    return f"copy{src}@{at}+{length}"


def run_one(args, i, clean_tracks, clean_w):
    rng = random.Random(args.seed * 1000003 + i)
    work = os.path.join(args.work, f"run{i}")
    shutil.rmtree(work, ignore_errors=True)
    tracks = os.path.join(work, "tracks")
    shutil.copytree(clean_tracks, tracks)
    name = rng.choice(sorted(f for f in os.listdir(tracks) if f.endswith(".bw")))
    path = os.path.join(tracks, name)
    data = bytearray(open(path, "rb").read())
    how = mutate(data, rng)
    open(path, "wb").write(data)
    out = os.path.join(work, "w.npy")
    try:
        p = subprocess.run([args.assign2, "-b", tracks, *REGION, *FIT, "-o", out], capture_output=True, text=True,
                           errors="replace", timeout=120)
    except subprocess.TimeoutExpired:
        return "hang", how, name
    leftovers = [f for f in os.listdir(work) if ".tmp-" in f]
    if p.returncode < 0 or "Sanitizer" in p.stderr or "runtime error:" in p.stderr:
        return "crash or sanitizer report", how, name + ": " + p.stderr[-300:]
    if leftovers:
        return "temporary left behind", how, name
    if p.returncode != 0:
        if os.path.exists(out):
            return "error, but output written", how, name
        return ("clean error naming the file" if name in p.stderr else "clean error, file not named"), how, \
            name + ": " + p.stderr.strip()[-200:]
    w = np.load(out)
    if w.shape == clean_w.shape and np.array_equal(w, clean_w):
        return "success, same W", how, name
    return "success, DIFFERENT W (silent)", how, name


def main():
    args = parse_args("assign2", "make_sample_data")
    clean = os.path.join(args.work, "clean")
    if not os.path.isdir(os.path.join(clean, "tracks")):
        subprocess.run([args.make_sample_data, "-o", clean, "--tracks", "4", "--chromosomes", "chr1:300000,chr2:200000",
                        "--dense", "-q"], check=True)
    clean_out = os.path.join(args.work, "clean.npy")
    subprocess.run([args.assign2, "-b", os.path.join(clean, "tracks"), *REGION, *FIT, "-o", clean_out], check=True)
    clean_w = np.load(clean_out)
    # Run i works in its own folder, removed when it is classified.
    counts, examples = run_all(args.work, args.runs, args.jobs,
                               lambda i: run_one(args, i, os.path.join(clean, "tracks"), clean_w))
    bad = report(f"{args.runs} mutated bigWigs, seed {args.seed}", counts, examples,
                 ("crash", "hang", "success, DIFF", "temporary", "error, but"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
