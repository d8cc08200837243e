#!/usr/bin/env python3
"""Runs two descent-bench binaries (an old and a new build) alternately and prints both sides and
the ratios: the check that a change left the speed as it was.

Usage:
    git worktree add /tmp/bench-old <old commit>            # then build each side:
    (cd /tmp/bench-old && swift build -c release --product descent-bench)
    swift build -c release --product descent-bench
    python3 Benchmarks/compare_builds.py --old /tmp/bench-old/.build/release/descent-bench \\
        --new .build/release/descent-bench [--rounds 3] [--workloads w1,w2,w4] [--threads 2]

Each round runs both binaries once with the same arguments
(--workloads W --epochs E --threads T --json --data-dir D); the order alternates from round to
round (old, new; new, old; ...) so that neither side always runs on a machine warmed or loaded
by the other. The table shows each figure's median over the rounds, its spread over the rounds
((max - min) / median), and new ÷ old (old ÷ new for times, latencies and memory), so a ratio > 1
always means the new build is faster. Differences within the spread are noise.
"""
import argparse, json, os, statistics, subprocess, sys, time

LOWER_IS_BETTER = ("seconds", "latency", "_us", "rss")


def run(binary, arguments):
    started = time.monotonic()
    result = subprocess.run([binary] + arguments, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"compare_builds.py: {binary} failed (exit {result.returncode}):\n{result.stderr.strip()}")
    lines = result.stdout.strip().splitlines()
    try:
        figures = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        sys.exit(f"compare_builds.py: {binary} printed no JSON object last:\n{result.stdout}")
    print(f"  {binary}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    return figures


def spread(values):
    middle = statistics.median(values)
    return (max(values) - min(values)) / abs(middle) if middle else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="the old build's descent-bench")
    parser.add_argument("--new", required=True, help="the new build's descent-bench")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", default="w1,w2,w4")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data-dir", default="/work/shared/data/mnist")
    parser.add_argument("--save", metavar="FILE", help="also write every round's figures to FILE as JSON")
    args = parser.parse_args()
    for binary in (args.old, args.new):
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            sys.exit(f"compare_builds.py: {binary} is not an executable file")
    if args.rounds < 1:
        sys.exit("compare_builds.py: --rounds must be at least 1")
    common = ["--workloads", args.workloads, "--epochs", str(args.epochs), "--threads", str(args.threads),
              "--json", "--data-dir", args.data_dir]
    old, new = [], []
    for round in range(args.rounds):
        print(f"round {round + 1}/{args.rounds}", file=sys.stderr)
        if round % 2 == 0:
            old.append(run(args.old, common))
            new.append(run(args.new, common))
        else:
            new.append(run(args.new, common))
            old.append(run(args.old, common))
    if args.save:
        with open(args.save, "w") as file:
            json.dump({"old": args.old, "new": args.new, "arguments": common, "old_rounds": old, "new_rounds": new},
                      file, indent=1, sort_keys=True)

    keys = [k for k in old[0] if isinstance(old[0][k], (int, float)) and k != "threads"
            and all(k in r for r in old + new)]
    keys.sort(key=lambda k: (k.startswith("peak_rss"), k))  # the workloads' figures, then memory
    missing = sorted(set().union(*old, *new) - set(keys) - {"framework", "threads"})
    print(f"old: {args.old}\nnew: {args.new}")
    print(f"{args.rounds} round(s), medians; {' '.join(common)}")
    print(f"{'figure':34s} {'old':>11s} {'spread':>7s} {'new':>11s} {'spread':>7s} {'new/old':>8s}")
    for key in keys:
        o = [r[key] for r in old]
        n = [r[key] for r in new]
        mo, mn = statistics.median(o), statistics.median(n)
        if "accuracy" in key or not mo or not mn:
            ratio = ""
        else:
            ratio = f"{(mo / mn if any(w in key for w in LOWER_IS_BETTER) else mn / mo):.3f}x"
        print(f"{key:34s} {mo:11.5g} {spread(o):6.1%} {mn:11.5g} {spread(n):6.1%} {ratio:>8s}")
    if missing:
        print(f"(only on one side, not compared: {', '.join(missing)})")
    print("new/old > 1: the new build is faster (or smaller); seconds, latencies and memory are inverted.")


if __name__ == "__main__":
    main()
