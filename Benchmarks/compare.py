#!/usr/bin/env python3
"""Runs descent-bench and the PyTorch workloads alternately and prints both sides and the ratios.

Usage:
    swift build -c release --product descent-bench
    /tmp/torchenv/bin/python Benchmarks/compare.py [--rounds 3] [--workloads w1,w2,w4,sgemm] [--threads 2] [--data-dir DIR]
    /tmp/torchenv/bin/python Benchmarks/compare.py --against openblas --threads 1   # sgemm vs numpy's OpenBLAS

Each round runs Descent, then PyTorch, on the same workloads; the table shows the medians over the
rounds and Descent ÷ PyTorch (or PyTorch ÷ Descent for times and latencies, so > 1 always means
Descent is faster). Round r trains from seed r on both sides (--seed): accuracies are medians over
different draws, and each round's is listed beside them.
"""
import argparse, json, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LOWER_IS_BETTER = ("seconds", "latency", "rss")


def run(command, environment=None):
    """The JSON object the command prints last; `environment` adds variables to this one's."""
    env = dict(os.environ, **environment) if environment else None
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(workloads, threads, epochs, rounds, against="pytorch", data_dir=None):
    """Both sides' figures (descent-bench's and the other side's JSON), round by round, alternately."""
    other_script = "pytorch_bench.py" if against == "pytorch" else "openblas_sgemm.py"
    common = ["--workloads", workloads, "--threads", str(threads), "--epochs", str(epochs), "--json"]
    if data_dir:
        common += ["--data-dir", data_dir]
    descent, other = [], []
    for round in range(rounds):
        print(f"round {round + 1}/{rounds}", file=sys.stderr)
        seed = ["--seed", str(round)] if against == "pytorch" else []
        descent.append(run([os.path.join(ROOT, ".build", "release", "descent-bench")] + common + seed))
        other.append(run([sys.executable, os.path.join(HERE, other_script)] + common + seed))
    return descent, other


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workloads", default="w1,w2,w4,sgemm")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--data-dir", help="the MNIST folder, passed to both sides (default: each side's own)")
    parser.add_argument("--against", choices=["pytorch", "openblas"], default="pytorch",
                        help="the other side: PyTorch (all workloads) or numpy's OpenBLAS (sgemm only)")
    args = parser.parse_args()
    if args.against == "openblas":
        args.workloads = "sgemm"
    descent, pytorch = measure(args.workloads, args.threads, args.epochs, args.rounds, args.against, args.data_dir)
    print(f"cpu: {descent[0].get('cpu', 'unknown')}; Descent's kernels: {descent[0].get('kernels', 'unknown')}")
    keys = [k for k in descent[0] if isinstance(descent[0][k], float) and k in pytorch[0]]
    print(f"{'figure':40s} {'descent':>12s} {args.against:>12s} {'ratio':>8s}")
    for key in keys:
        d = statistics.median(r[key] for r in descent)
        p = statistics.median(r[key] for r in pytorch)
        if "accuracy" in key:
            ratio = ""
            each = lambda runs: ", ".join(f"{r[key]:.4f}" for r in runs)
            print(f"{key + ' by round':40s} descent {each(descent)}; {args.against} {each(pytorch)}")
        else:
            ratio = f"{(p / d if any(w in key for w in LOWER_IS_BETTER) else d / p):.2f}x"
        print(f"{key:40s} {d:12.4g} {p:12.4g} {ratio:>8s}")


if __name__ == "__main__":
    main()
