"""CSV loading beside pandas (issue 14): one loader per process, so that each peak RSS is its own.

    python Benchmarks/csv_loading.py generate FILE.csv      # the 200 MB numeric file (seed 0)
    python Benchmarks/csv_loading.py pandas-pyarrow FILE.csv
    python Benchmarks/csv_loading.py pandas-c FILE.csv      # read_csv's default engine

Descent's figure comes from `descent-bench --workloads csv --csv FILE.csv` (run alone).
Needs numpy, pandas and pyarrow; not part of the build or the tests.
"""
import resource
import sys
import time


def generate(path, rows=1_230_000, columns=20):
    import numpy as np

    generator = np.random.default_rng(0)
    with open(path, "w") as file:
        file.write(",".join([f"x{i}" for i in range(columns - 1)] + ["label"]) + "\n")
        for start in range(0, rows, 100_000):
            count = min(100_000, rows - start)
            features = generator.normal(0, 10, size=(count, columns - 1))
            labels = generator.integers(0, 10, size=count)
            lines = ["{},{}".format(",".join("%.6g" % v for v in row), label) for row, label in zip(features, labels)]
            file.write("\n".join(lines) + "\n")


def load(engine, path):
    import os

    import pandas

    if engine == "pyarrow":
        import pyarrow  # noqa: F401  (imported before measuring, as read_csv would)
    imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    frame = pandas.read_csv(path, engine=engine, dtype="float32")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = os.path.getsize(path) / 1e6
    print(f"pandas {pandas.__version__} read_csv engine={engine}: {seconds:.2f} s, {size / seconds:.0f} MB/s, "
          f"peak RSS {peak:.0f} MB ({imported:.0f} MB after importing), {frame.shape[0]} rows x {frame.shape[1]} columns")


if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    if command == "generate":
        generate(path)
    else:
        load({"pandas-pyarrow": "pyarrow", "pandas-c": "c"}[command], path)
