#!/usr/bin/env python3
"""sgemm GFLOP/s of numpy's bundled OpenBLAS on descent-bench's shapes, for compare.py --against openblas.

Usage:
    /tmp/torchenv/bin/python Benchmarks/openblas_sgemm.py [--threads 2] [--json]

The thread count must be fixed before numpy loads OpenBLAS, so this script sets
OPENBLAS_NUM_THREADS and then re-runs itself.
"""
import argparse, json, os, sys, time

SGEMM_SHAPES = [  # (name, m, k, n, transpose A, transpose B), as in descent-bench
    ("sgemm_512", 512, 512, 512, False, False),
    ("sgemm_1024", 1024, 1024, 1024, False, False),
    ("sgemm_2048", 2048, 2048, 2048, False, False),
    ("sgemm_128x784x512", 128, 784, 512, False, False),
    ("sgemm_128x512x512", 128, 512, 512, False, False),
    ("sgemm_128x512x784_bT", 128, 512, 784, False, True),
    ("sgemm_784x128x512_aT", 784, 128, 512, True, False),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--workloads", default="sgemm")  # accepted for compare.py; only sgemm exists
    parser.add_argument("--epochs", type=int, default=1)  # accepted for compare.py; unused
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):
        os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
        os.execv(sys.executable, [sys.executable] + sys.argv)
    import numpy as np

    rng = np.random.default_rng(0)
    results = {"framework": f"numpy {np.__version__} OpenBLAS", "threads": args.threads}
    for name, m, k, n, ta, tb in SGEMM_SHAPES:
        a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
        b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
        oa, ob = (a.T if ta else a), (b.T if tb else b)
        oa @ ob
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < 1.0:
            oa @ ob
            reps += 1
        results[name + "_gflops"] = 2 * m * n * k * reps / (time.perf_counter() - start) / 1e9
        if not args.json:
            print(f"{name + '_gflops':40s} {results[name + '_gflops']:.4g}")
    if args.json:
        print(json.dumps(results, sort_keys=True))


if __name__ == "__main__":
    main()
