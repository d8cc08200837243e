#!/usr/bin/env python3
"""Issue 17's targets on this CPU, in one command: every figure it asks for, side by side, and a
Markdown table for BENCHMARKS.md ("Issue 17's targets, per CPU kind").

Usage:
    swift build -c release --product descent-bench
    /tmp/torchenv/bin/python Benchmarks/cpu_targets.py [--rounds 3] [--epochs 2] [--threads 2]
                                                      [--skip-variants] [--skip-kernel-tests] [--out FILE]

(/tmp/torchenv: `pip install 'torch==2.13.0+cpu' numpy`; numpy brings its OpenBLAS.) It runs, in
about five minutes on two cores (seven on an AVX-512 CPU):

1. the CPU: lscpu's model, family and model numbers, threads per core, AVX2 / AVX-512, and the
   kernel variant Descent chose;
2. the FMA peak of one core (Benchmarks/fma_peak.c, built with the C compiler), 8- and 16-wide:
   the peak of the run is that of the widest kernel Descent runs, times the physical cores its
   threads have (two threads on one core's two hyperthreads have one core's peak); and each
   matrix-multiply micro-kernel alone with its panels in L1 (Benchmarks/gemm_per_core.c
   kernels), as a share of that peak;
3. W1 alone (its process's peak memory is W1's), then W2, W4 and the matrix multiplies, each
   Descent then PyTorch, --rounds times (Benchmarks/compare.py), medians;
4. the matrix multiplies against numpy's OpenBLAS the same way;
5. where Descent runs its AVX-512 kernels, unless --skip-variants: W1, W2, W4 and the matrix
   multiplies again with DESCENT_KERNELS=avx2, alternating with the AVX-512 kernels, Descent
   only: whether the 512-bit kernels pay on this CPU for whole workloads (Intel cores lower
   their clock under 512-bit work, which a kernel's own figure does not show);
   and the AVX-512 products on one core with B packed and read in place
   (DESCENT_GEMM_B_IN_PLACE=0 and =1): whether reading in place, which gemm.c does on Zen 4
   only, pays on this CPU;
6. W2's step taken apart, Descent alone on synthetic data, on one thread and on --threads
   (descent-bench's w2-parts and w2-overhead): forward pass, gradients, update, whole step, and
   what a step costs besides its arithmetic (layers 4-4-2), medians of --rounds runs: where
   W2's time goes on this CPU, and how much of it a second thread takes off;
7. unless --skip-kernel-tests, Tests/CKernels/run.sh: the C kernels checked on every variant
   this CPU runs (and the NEON ones under qemu where it is installed).

Then it prints each target with the figure, the ratio of the medians, the ratio of each side's
best round (on a busy machine, what each side does unhindered), the share of the FMA peak, and
whether it is met (judged on the medians). Timings on a shared machine move from run to run:
compare ratios, not raw figures, and only within one run.
"""
import argparse, datetime, os, re, shutil, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import compare  # noqa: E402  (Benchmarks/compare.py: the alternating runs)
import compare_builds  # noqa: E402  (its spread of a figure over rounds)

# Floating-point operations (2 per multiply-add) of the workloads' matrix products.
W1_FLOP_PER_EPOCH = 192.55e9   # 784-512-512-10, 60,000 examples: forward, weight and input gradients
W2_FLOP_PER_STEP = 13.09e6     # 784-128-10, batch 32
W4_FLOP_PER_EXAMPLE = 1.337e6  # the W1 model's forward pass
# The matrix multiplies of the MLP shapes (m×k×n as descent-bench names them): the issue's
# target is ≥ 0.9× the faster of MKL and OpenBLAS on each.
MLP_SHAPES = ["sgemm_128x784x512", "sgemm_128x512x512", "sgemm_128x512x784_bT", "sgemm_784x128x512_aT"]


def lscpu():
    """lscpu's fields; where lscpu is missing (a lent machine's bare image), the same fields
    from /proc/cpuinfo."""
    fields = {}
    try:
        output = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return cpuinfo()
    for line in output.splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def cpuinfo():
    """/proc/cpuinfo's first processor, under lscpu's names."""
    names = {"model name": "Model name", "vendor_id": "Vendor ID", "cpu family": "CPU family",
             "model": "Model", "flags": "Flags"}
    first = {}
    with open("/proc/cpuinfo") as file:
        for line in file:
            if not line.strip():
                break
            name, _, value = line.partition(":")
            first[name.strip()] = value.strip()
    fields = {names[name]: value for name, value in first.items() if name in names}
    siblings, cores = int(first.get("siblings", "1")), int(first.get("cpu cores", "1"))
    fields["Thread(s) per core"] = str(max(1, siblings // max(1, cores)))
    return fields


def fma_peak():
    """Per-core GFLOP/s: (AVX2, AVX-512 or 0)."""
    with tempfile.TemporaryDirectory() as folder:
        binary = os.path.join(folder, "fma_peak")
        subprocess.run(["cc", "-O2", os.path.join(HERE, "fma_peak.c"), "-o", binary], check=True)
        output = subprocess.run([binary], check=True, capture_output=True, text=True).stdout
    match = re.search(r"^peak avx2 ([\d.]+) avx512 ([\d.]+)$", output, re.M)
    return float(match.group(1)), float(match.group(2))


def build_gemm_per_core(folder):
    """Benchmarks/gemm_per_core.c built with the package's C kernels in `folder`: its path."""
    kernels = os.path.join(ROOT, "Sources", "CDescentKernels")
    sources = [os.path.join(kernels, name) for name in sorted(os.listdir(kernels)) if name.endswith(".c")]
    binary = os.path.join(folder, "gemm_per_core")
    # clang, as SwiftPM compiles the package's C (gcc builds some of these loops differently).
    subprocess.run([shutil.which("clang") or "cc", "-O2", "-std=gnu11", f"-I{kernels}/include", f"-I{kernels}",
                    os.path.join(HERE, "gemm_per_core.c")] + sources + ["-o", binary, "-lm", "-lpthread"],
                   check=True, stderr=subprocess.DEVNULL)
    return binary


def micro_kernels():
    """Each matrix-multiply micro-kernel alone with its panels in L1, one core
    (Benchmarks/gemm_per_core.c kernels): [(name, GFLOP/s)]."""
    with tempfile.TemporaryDirectory() as folder:
        output = subprocess.run([build_gemm_per_core(folder), "kernels"], check=True, capture_output=True,
                                text=True).stdout
    return [(match.group(1).strip(), float(match.group(2)))
            for match in re.finditer(r"^micro-kernel (.*?) +\d+×\s*\d+.*?([\d.]+) GFLOP/s$", output, re.M)]


def b_in_place(rounds, chosen):
    """The AVX-512 products with B packed (DESCENT_GEMM_B_IN_PLACE=0) and read in place (=1),
    one core (`gemm_per_core all`), alternating, medians: the lines of a table. `chosen` says
    which this CPU gets by default (gemm.c: in place on Zen 4 only, where it was measured)."""
    runs = {"0": {}, "1": {}}
    with tempfile.TemporaryDirectory() as folder:
        binary = build_gemm_per_core(folder)
        for round in range(rounds):
            for setting in (["0", "1"] if round % 2 == 0 else ["1", "0"]):
                output = subprocess.run([binary, "all"], check=True, capture_output=True, text=True,
                                        env=dict(os.environ, DESCENT_GEMM_B_IN_PLACE=setting)).stdout
                for match in re.finditer(r"^(?!micro-kernel)(.*?)\s+(\d+)×\s*(\d+)×\s*(\d+)\s+([\d.]+) GFLOP/s$",
                                         output, re.M):
                    shape = f"{match.group(1).strip()} ({match.group(2)}×{match.group(3)}×{match.group(4)})"
                    runs[setting].setdefault(shape, []).append(float(match.group(5)))
    lines = [f"B read in place against B packed, the AVX-512 products on one core (`DESCENT_GEMM_B_IN_PLACE=1` "
             f"and `=0`, `gemm_per_core all`, medians of {rounds} alternating rounds; this CPU's default: "
             f"{'in place' if chosen else 'packed'}; > 1: in place faster):", "",
             "| product | B packed, GFLOP/s | B in place | in place ÷ packed |", "| --- | --- | --- | --- |"]
    for shape, packed in runs["0"].items():
        packed, in_place = statistics.median(packed), statistics.median(runs["1"][shape])
        lines.append(f"| {shape} | {packed:.1f} | {in_place:.1f} | {in_place / packed:.3f}× |")
    return lines


def median(runs, key):
    return statistics.median(run[key] for run in runs)


def best(runs, key, lower_is_better=False):
    """The best round's figure: the least time, the most per second."""
    return (min if lower_is_better else max)(run[key] for run in runs)


# The figures of the variant comparison: (key, what, whether lower is better).
VARIANT_FIGURES = [("w1_epoch_seconds", "W1 seconds per epoch", True),
                   ("w2_steps_per_second", "W2 steps per second", False),
                   ("w4_batch1_latency_us", "W4 batch-1 latency, µs", True),
                   ("w4_batch1000_samples_per_second", "W4 batch-1000 samples per second", False)] + [
                  (shape + "_gflops", f"matrix multiply {shape.removeprefix('sgemm_')}, GFLOP/s", False)
                  for shape in MLP_SHAPES]


def spread(runs, key):
    return f"{100 * compare_builds.spread([run[key] for run in runs]):.0f} %"


def figure_text(value):
    """1,234 for large figures, four significant digits for small ones (1.585, 25.31)."""
    return f"{value:,.0f}" if value >= 1000 else f"{value:.4g}"


def variants(threads, epochs, rounds):
    """Descent alone with its AVX-512 kernels and with DESCENT_KERNELS=avx2, alternating (the
    order swapped every round), and the lines of a table: medians with their spreads, AVX-512 ÷
    AVX2 (> 1: the AVX-512 kernels are faster)."""
    binary = os.path.join(ROOT, ".build", "release", "descent-bench")
    common = ["--workloads", "w1,w2,w4,sgemm", "--threads", str(threads), "--epochs", str(epochs), "--json"]
    runs = {"avx512": [], "avx2": []}
    for round in range(rounds):
        print(f"AVX-512 against AVX2, round {round + 1}/{rounds}", file=sys.stderr)
        for variant in (["avx512", "avx2"] if round % 2 == 0 else ["avx2", "avx512"]):
            environment = {"DESCENT_KERNELS": "avx2"} if variant == "avx2" else None
            runs[variant].append(compare.run([binary] + common + ["--seed", str(round)], environment))
    for variant, expected in (("avx512", "avx512"), ("avx2", "avx2")):
        found = runs[variant][0].get("kernels")
        if found != expected:
            raise SystemExit(f"cpu_targets.py: descent-bench ran the {found} kernels where {expected} was asked for")
    # A ratio inside the rounds' spread ((max − min) ÷ median, per side) is the machine's noise.
    lines = ["| figure | AVX-512 kernels (spread) | AVX2 kernels (spread) | AVX-512 ÷ AVX2 |", "| --- | --- | --- | --- |"]
    for key, figure, lower_is_better in VARIANT_FIGURES:
        wide, narrow = median(runs["avx512"], key), median(runs["avx2"], key)
        ratio = narrow / wide if lower_is_better else wide / narrow
        lines.append(f"| {figure} | {figure_text(wide)} ({spread(runs['avx512'], key)}) "
                     f"| {figure_text(narrow)} ({spread(runs['avx2'], key)}) | {ratio:.2f}× |")
    return lines


W2_PARTS = [("w2_parts_forward_us", "forward pass"), ("w2_parts_gradients_us", "cost and gradients"),
            ("w2_parts_update_us", "SGD update"), ("w2_parts_step_us", "whole step"),
            ("w2_step_us", "a 4-4-2 step (all but the arithmetic)")]


def w2_parts(threads, rounds):
    """The lines of a table: W2's step taken apart, in microseconds, on one thread and on
    `threads`, the medians of `rounds` runs (Descent alone, synthetic data)."""
    binary = os.path.join(ROOT, ".build", "release", "descent-bench")
    counts = sorted({1, threads})
    runs = {count: [] for count in counts}
    for round in range(rounds):
        print(f"W2's step taken apart, round {round + 1}/{rounds}", file=sys.stderr)
        for count in counts:
            runs[count].append(compare.run([binary, "--workloads", "w2-parts,w2-overhead", "--threads", str(count), "--json"],
                                           {"W2_STEP_CALLS": "20000"}))
    columns = [f"{count} thread{'s' if count > 1 else ''}" for count in counts] + (["speed-up"] if len(counts) > 1 else [])
    lines = ["| part of a W2 step, µs | " + " | ".join(columns) + " |", "| --- |" + " --- |" * len(columns)]
    for key, part in W2_PARTS:
        values = [median(runs[count], key) for count in counts]
        cells = [f"{value:.1f}" for value in values] + ([f"{values[0] / values[-1]:.2f}×"] if len(counts) > 1 else [])
        lines.append(f"| {part} | " + " | ".join(cells) + " |")
    return lines


def kernel_tests():
    """The summary lines of Tests/CKernels/run.sh, and whether it passed."""
    result = subprocess.run(["bash", os.path.join(ROOT, "Tests", "CKernels", "run.sh")], capture_output=True, text=True)
    lines = [line for line in (result.stdout + result.stderr).splitlines()
             if line.startswith("==") or re.search(r"checks|checked|failed|skipp|digest|random streams", line)]
    return result.returncode == 0, lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-kernel-tests", action="store_true")
    parser.add_argument("--skip-variants", action="store_true",
                        help="on an AVX-512 CPU, do not also time the AVX2 kernels")
    parser.add_argument("--out", help="also write the report to this file")
    args = parser.parse_args()
    for name in ("rounds", "epochs", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, found {getattr(args, name)}")

    cpu = lscpu()
    flags = cpu.get("Flags", "").split()
    threads_per_core = int(cpu.get("Thread(s) per core", "1") or 1)
    cores_used = max(1, min(args.threads, os.cpu_count() // threads_per_core))
    avx2_peak, avx512_peak = fma_peak()

    print("the micro-kernels alone", file=sys.stderr)
    alone = micro_kernels()
    print("W1 alone (its peak memory)", file=sys.stderr)
    w1_descent, w1_torch = compare.measure("w1", args.threads, args.epochs, args.rounds)
    print("W2, W4 and the matrix multiplies against PyTorch", file=sys.stderr)
    descent, torch = compare.measure("w2,w4,sgemm", args.threads, 1, args.rounds)
    print("the matrix multiplies against OpenBLAS", file=sys.stderr)
    blas_descent, openblas = compare.measure("sgemm", args.threads, 1, args.rounds, against="openblas")
    kernels = descent[0].get("kernels", "unknown")
    core_peak = avx512_peak if kernels == "avx512" else avx2_peak
    peak = core_peak * cores_used

    rows = []  # figure, target, Descent, other side, ratio, ratio of the best rounds, share of the peak, met

    # The target is judged on medians. Beside them, the ratio of each side's best round: a busy
    # neighbour only ever slows a round down, so on a noisy machine the best rounds show what
    # each side does unhindered, and how far apart the two estimates are shows the noise.
    def row(figure, target, ours, theirs, ratio, best_ratio, minimum, flop_per_second=None):
        share = f"{100 * flop_per_second / 1e9 / peak:.0f} %" if flop_per_second else ""
        rows.append([figure, target, ours, theirs, f"{ratio:.2f}×", f"{best_ratio:.2f}×", share,
                     "yes" if ratio >= minimum else "**no**"])

    d, p = median(w1_descent, "w1_epoch_seconds"), median(w1_torch, "w1_epoch_seconds")
    row("W1 seconds per epoch", "≥ 2.5×", f"{d:.3f}", f"{p:.3f}", p / d,
        best(w1_torch, "w1_epoch_seconds", True) / best(w1_descent, "w1_epoch_seconds", True), 2.5, W1_FLOP_PER_EPOCH / d)
    d, p = median(descent, "w2_steps_per_second"), median(torch, "w2_steps_per_second")
    row("W2 steps per second", "≥ 4×", f"{d:,.0f}", f"{p:,.0f}", d / p,
        best(descent, "w2_steps_per_second") / best(torch, "w2_steps_per_second"), 4, W2_FLOP_PER_STEP * d)
    d, p = median(descent, "w4_batch1_latency_us"), median(torch, "w4_batch1_latency_us")
    row("W4 batch-1 latency, µs", "≥ 4×", f"{d:.1f}", f"{p:.1f}", p / d,
        best(torch, "w4_batch1_latency_us", True) / best(descent, "w4_batch1_latency_us", True), 4,
        W4_FLOP_PER_EXAMPLE / (d * 1e-6))
    d, p = median(descent, "w4_batch1000_samples_per_second"), median(torch, "w4_batch1000_samples_per_second")
    row("W4 batch-1000 samples per second", "≥ 1.0×", f"{d:,.0f}", f"{p:,.0f}", d / p,
        best(descent, "w4_batch1000_samples_per_second") / best(torch, "w4_batch1000_samples_per_second"), 1,
        W4_FLOP_PER_EXAMPLE * d)
    for shape in MLP_SHAPES:
        key = shape + "_gflops"
        ours = min(median(descent, key), median(blas_descent, key))  # the lower of Descent's two runs
        mkl, blas = median(torch, key), median(openblas, key)
        faster = max(mkl, blas)
        best_ratio = (min(best(descent, key), best(blas_descent, key))
                      / max(best(torch, key), best(openblas, key)))
        row(f"matrix multiply {shape.removeprefix('sgemm_')}, GFLOP/s", "≥ 0.9× the faster",
            f"{ours:.1f}", f"MKL {mkl:.1f}, OpenBLAS {blas:.1f}", ours / faster, best_ratio, 0.9, ours * 1e9)
    d, p = median(w1_descent, "peak_rss_mb"), median(w1_torch, "peak_rss_mb")
    rows.append(["W1 peak memory, MB", "≤ 300 MB", f"{d:.0f}", f"{p:.0f}", f"{p / d:.2f}×", "", "",
                 "yes" if d <= 300 else "**no**"])

    features = ", ".join(name for name, flag in [("AVX2", "avx2"), ("FMA", "fma"), ("AVX-512F", "avx512f")] if flag in flags)
    lines = [
        f"{cpu.get('Model name', 'unknown CPU')} (vendor {cpu.get('Vendor ID', '?')}, family {cpu.get('CPU family', '?')} "
        f"model {cpu.get('Model', '?')}), {os.cpu_count()} CPUs, {threads_per_core} thread(s) per core; {features}; "
        f"Descent's kernels: {kernels}; {datetime.date.today().isoformat()}.",
        f"FMA peak of one core (Benchmarks/fma_peak.c): AVX2 {avx2_peak:.1f} GFLOP/s"
        + (f", AVX-512 {avx512_peak:.1f}" if avx512_peak else "")
        + f"; this run's peak, {args.threads} threads on {cores_used} core(s) with the {kernels} kernels: {peak:.0f} GFLOP/s.",
        "Micro-kernels alone, panels in L1, one core (Benchmarks/gemm_per_core.c kernels): "
        + "; ".join(f"{name} {gflops:.1f} GFLOP/s, {100 * gflops / (avx512_peak if name == 'AVX-512' else avx2_peak):.0f} % "
                    f"of the core's {'AVX-512' if name == 'AVX-512' else 'AVX2'} FMA peak" for name, gflops in alone) + ".",
        f"`Benchmarks/cpu_targets.py --rounds {args.rounds} --epochs {args.epochs} --threads {args.threads}`: medians of "
        f"{args.rounds} alternating rounds (the ratio of each side's best round beside them); ratio > 1 means Descent is better.",
        "",
        "| figure | target | Descent | other side | ratio | ratio, best rounds | share of the FMA peak | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ] + ["| " + " | ".join(r) + " |" for r in rows]
    # Each part of the report is printed (and written to --out) as soon as it is measured: a run
    # stopped by a time limit on a lent machine still leaves the targets' table behind.
    if args.out:
        open(args.out, "w").close()

    def emit(lines):
        text = "\n".join(lines)
        print(text, flush=True)
        if args.out:
            with open(args.out, "a") as file:
                file.write(text + "\n")

    accuracies = ", ".join(f"{run['w1_test_accuracy']:.4f}" for run in w1_descent)
    torch_accuracies = ", ".join(f"{run['w1_test_accuracy']:.4f}" for run in w1_torch)
    lines += ["", f"W1 test accuracy by round: Descent {accuracies}; PyTorch {torch_accuracies}."]
    emit(lines)
    if kernels == "avx512" and not args.skip_variants:
        lines = ["", f"AVX-512 against AVX2 kernels on this CPU (Descent alone, `DESCENT_KERNELS=avx2`, medians of "
                      f"{args.rounds} alternating rounds, {args.threads} threads; > 1: AVX-512 faster):", ""]
        emit(lines + variants(args.threads, args.epochs, args.rounds))
        print("B read in place against B packed", file=sys.stderr)
        zen4 = cpu.get("Vendor ID") == "AuthenticAMD" and cpu.get("CPU family") == "25"
        emit([""] + b_in_place(args.rounds, zen4))
    lines = ["", f"W2's step taken apart (Descent alone, synthetic data, medians of {args.rounds} runs; "
                  f"W2's own step in the table above: {1e6 / median(descent, 'w2_steps_per_second'):.1f} µs, "
                  "the difference being the batch's gather and the iteration over real data):", ""]
    emit(lines + w2_parts(args.threads, args.rounds))
    if not args.skip_kernel_tests:
        passed, summary = kernel_tests()
        emit(["", f"Kernel tests (Tests/CKernels/run.sh): {'passed' if passed else '**FAILED**'}", ""]
             + ["    " + line for line in summary])


if __name__ == "__main__":
    main()
