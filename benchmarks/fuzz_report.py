"""What the mutation runs share (fuzz_bigwig.py, fuzz_count_table.py): run every mutation in a
thread pool, each in its own folder removed once classified, and print the outcome table."""
import argparse
import concurrent.futures as cf
import os
import shutil


def run_all(work, runs, jobs, run_one):
    """run_one(i) -> (outcome, how, detail); returns ({outcome: count}, {outcome: first (how, detail)})."""
    counts, examples = {}, {}
    with cf.ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(run_one, i) for i in range(runs)]
        for i, f in enumerate(futures):
            outcome, how, detail = f.result()
            shutil.rmtree(os.path.join(work, f"run{i}"), ignore_errors=True)
            counts[outcome] = counts.get(outcome, 0) + 1
            examples.setdefault(outcome, (how, detail))
    return counts, examples


def report(title, counts, examples, bad_prefixes):
    """Prints the markdown table; returns the number of runs whose outcome starts with a bad prefix."""
    print(f"| outcome ({title}) | runs | example |")
    print("|---|---|---|")
    for outcome in sorted(counts, key=lambda o: -counts[o]):
        how, detail = examples[outcome]
        print(f"| {outcome} | {counts[outcome]} | {how}: {detail[:120]!s} |".replace("\n", " "))
    return sum(v for k, v in counts.items() if k.startswith(bad_prefixes))


def parse_args(*programs):
    """PROGRAM... WORK_DIR [--runs N] [--seed S] [--jobs J]; makes WORK_DIR."""
    ap = argparse.ArgumentParser()
    for name in programs:
        ap.add_argument(name)
    ap.add_argument("work")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    return args
