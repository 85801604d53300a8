#!/usr/bin/env python3
"""Mutation run against `modules fit`: every mutated count table must give either a clean error
that names the file (non-zero exit, no output, no temporary) or exactly the result of the table
it is, read by the documented rules; never a crash, a sanitizer report, a hang, or a result that
differs from that table's.

The oracle is a reference reader written here from the rules in include/fusednmf/io/count_table.hpp
(tab- or comma-separated, blank and '#' lines skipped, fields trimmed of spaces and tabs, a
trailing CR ignored, values finite, >= 0 and <= 2^53, names unique and free of NUL). When it
accepts a mutated table, `modules fit` must give the same assignments on it as on the reference
reader's clean re-writing of it; when it rejects one, `modules fit` must fail cleanly.

usage: benchmarks/fuzz_count_table.py MODULES WORK_DIR [--runs N] [--seed S] [--jobs J]
Use the sanitizer build's modules (build-sanitize/examples/modules) so that memory errors count.
Mutations, one per run: a byte flipped, inserted or deleted; a value replaced by a special one
(1e308, 1e300, -1, -0, nan, inf, "", "x", 2^53 + 2, "1e5", " 7 ", "+3", "0x10", ...); a name
replaced (a duplicate, empty, with a NUL, with a delimiter); a line deleted, doubled or cut; the
file truncated; CRLF line ends; tabs turned to commas. Prints the count of each outcome.
"""
import math
import os
import random
import re
import shutil
import subprocess
import sys

from fuzz_report import parse_args, report, run_all

FIT = ["--ranks", "2-3", "--restarts", "1", "--iterations", "40", "--threads", "1", "-q"]
NUMBER = re.compile(rb"^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
SPECIAL = [b"1e308", b"1e300", b"-1", b"-0", b"nan", b"inf", b"-inf", b"", b"x", b"9007199254740994", b"1e5",
           b" 7 ", b"+3", b"0x10", b"1.5", b".5", b"5.", b"1e", b"++1", b"1,5", b"1\t5", b"0", b"1e15"]
MAX_COUNT = 9007199254740992.0


def trim(s: bytes) -> bytes:
    s = s.lstrip(b" \t")
    return s.rstrip(b" \t\r")


def reference_read(data: bytes):
    """(samples, genes, rows) by the documented rules, or None where they reject the table."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    header, genes, rows, seen = None, [], [], set()
    delimiter = b"\t"
    for line in lines:
        text = trim(line)
        if not text or text.startswith(b"#"):
            continue
        if header is None:
            delimiter = b"\t" if b"\t" in line else b","
            fields = [trim(f) for f in line.split(delimiter)]
            if len(fields) < 2 or any(b"\0" in f for f in fields[1:]) or len(set(fields[1:])) != len(fields) - 1:
                return None
            header = fields[1:]
            continue
        fields = [trim(f) for f in line.split(delimiter)]
        if len(fields) != len(header) + 1 or not fields[0] or b"\0" in fields[0] or fields[0] in seen:
            return None
        seen.add(fields[0])
        values = []
        for field in fields[1:]:
            if field.startswith(b"+"):
                field = field[1:]
            if not NUMBER.match(field):
                return None
            v = float(field)
            if not math.isfinite(v) or v < 0 or v > MAX_COUNT or (v == 0 and re.search(rb"[1-9]", field.split(b"e")[0].split(b"E")[0])):
                return None  # (the last: an underflow to 0, which the C++ reader rejects as out of range)
            values.append(v)
        genes.append(fields[0])
        rows.append(values)
    if header is None or not genes:
        return None
    if max(max(r) for r in rows) <= 0 or min(len(genes), len(header)) < 3:  # all zero; rank 3 > min(N, M)
        return None
    return header, genes, rows


def write_table(path, table):
    header, genes, rows = table
    with open(path, "wb") as f:
        f.write(b"\t".join([b"gene", *header]) + b"\n")
        for g, r in zip(genes, rows):
            f.write(b"\t".join([g, *(repr(v).encode() for v in r)]) + b"\n")


def mutate(data: bytes, rng: random.Random):
    lines = data.split(b"\n")
    kind = rng.randrange(10)
    at = rng.randrange(len(data))
    if kind == 0:
        b = bytearray(data)
        b[at] ^= rng.randrange(1, 256)
        return bytes(b), f"flip@{at}"
    if kind == 1:
        return data[:at] + bytes([rng.randrange(256)]) + data[at:], f"insert@{at}"
    if kind == 2:
        return data[:at] + data[at + 1:], f"delete@{at}"
    if kind in (3, 4):  # a value, or a name (column 0 or the header)
        i = rng.randrange(len(lines) - 1)
        fields = lines[i].split(b"\t")
        j = 0 if kind == 4 else rng.randrange(1, len(fields))
        if kind == 3:
            fields[j] = rng.choice(SPECIAL)
        else:
            fields[j] = rng.choice([lines[(i + 1) % (len(lines) - 1)].split(b"\t")[0], b"", b"G\0x", b"a,b", b" G1 "])
        lines[i] = b"\t".join(fields)
        return b"\n".join(lines), f"{'value' if kind == 3 else 'name'}@line{i + 1}:{j}"
    if kind == 5:
        i = rng.randrange(len(lines) - 1)
        del lines[i]
        return b"\n".join(lines), f"drop line {i + 1}"
    if kind == 6:
        i = rng.randrange(len(lines) - 1)
        lines.insert(i, lines[i])
        return b"\n".join(lines), f"double line {i + 1}"
    if kind == 7:
        return data[:at], f"truncate@{at}"
    if kind == 8:
        return data.replace(b"\n", b"\r\n"), "crlf"
    return data.replace(b"\t", b","), "commas"


def modules_fit(modules, table, out):
    return subprocess.run([modules, "fit", table, *FIT, "--assignments", out], capture_output=True, text=True,
                          errors="replace", timeout=120)


def run_one(args, i, clean):
    rng = random.Random(args.seed * 1000003 + i)
    work = os.path.join(args.work, f"run{i}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    data, how = mutate(clean, rng)
    table = os.path.join(work, "table.tsv")
    open(table, "wb").write(data)
    out = os.path.join(work, "assignments.tsv")
    try:
        p = modules_fit(args.modules, table, out)
    except subprocess.TimeoutExpired:
        return "hang", how, ""
    if p.returncode < 0 or "Sanitizer" in p.stderr or "runtime error:" in p.stderr:
        return "crash or sanitizer report", how, p.stderr[-300:]
    if any(".tmp-" in f for f in os.listdir(work)):
        return "temporary left behind", how, ""
    expected = reference_read(data)
    if p.returncode != 0:
        if os.path.exists(out):
            return "error, but output written", how, p.stderr.strip()[-200:]
        if expected is not None:
            return "rejected a table the rules accept", how, p.stderr.strip()[-200:]
        return ("clean error naming the file" if table in p.stderr else "clean error, file not named"), how, \
            p.stderr.strip()[-200:]
    if expected is None:
        return "accepted a table the rules reject", how, ""
    canonical, canonical_out = os.path.join(work, "canonical.tsv"), os.path.join(work, "canonical_out.tsv")
    write_table(canonical, expected)
    q = modules_fit(args.modules, canonical, canonical_out)
    if q.returncode != 0 or open(out, "rb").read() != open(canonical_out, "rb").read():
        return "success, DIFFERENT result (silent)", how, q.stderr.strip()[-200:]
    same_as_clean = expected == reference_read(clean)
    return ("success, same table, same result" if same_as_clean else "success, a different valid table, its result"), \
        how, ""


def main():
    args = parse_args("modules")
    clean_path = os.path.join(args.work, "clean.tsv")
    if not os.path.exists(clean_path):
        subprocess.run([args.modules, "simulate", "-o", clean_path, "--genes", "40", "--samples", "8", "--modules", "3"],
                       check=True, capture_output=True)
    clean = open(clean_path, "rb").read()
    assert reference_read(clean) is not None, "the reference reader rejects the clean table"
    counts, examples = run_all(args.work, args.runs, args.jobs, lambda i: run_one(args, i, clean))
    bad = report(f"{args.runs} mutated count tables, seed {args.seed}", counts, examples,
                 ("crash", "hang", "success, DIFF", "temporary", "error, but", "accepted", "rejected"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
