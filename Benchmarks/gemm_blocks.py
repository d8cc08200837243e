#!/usr/bin/env python3
"""The matrix multiply's cache blocks tried on this CPU: W1's and W2's products on one core for
each choice of MC (rows of A per block) and KC (steps of the shared dimension per block).

Usage:
    python3 Benchmarks/gemm_blocks.py [--variant avx512|avx2] [--mc 48,96,144,192]
                                      [--kc 192,256,384,512] [--rounds 3] [--cc clang]

For each (MC, KC) it compiles Benchmarks/gemm_per_core.c with the package's C kernels and
-DDESCENT_SGEMM512_MC=… -DDESCENT_SGEMM512_KC=… (or the AVX2 kernel's DESCENT_SGEMM_MC/KC, run
with DESCENT_KERNELS=avx2), runs its `mlp` shapes (one core, thread CPU time, best of 7, so a
busy machine lowers the figures less) --rounds times, the choices in turn, and prints each
shape's median GFLOP/s, their mean, and the package's current choice marked. About a second per
choice and round, after a few seconds of compiling each. The sizes the package compiles
with are in Sources/CDescentKernels/gemm.c; change them there only on a clear gain across CPUs.
"""
import argparse, os, platform, re, shutil, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KERNELS = os.path.join(ROOT, "Sources", "CDescentKernels")
LINE = re.compile(r"^(.*?)\s+(\d+)×\s*(\d+)×\s*(\d+)\s+([\d.]+) GFLOP/s$")


def sizes(text, option):
    try:
        values = [int(value) for value in text.split(",")]
    except ValueError:
        raise SystemExit(f"gemm_blocks.py: {option} expects numbers separated by commas, found {text!r}")
    if not values or min(values) < 1 or max(values) > 4096:
        raise SystemExit(f"gemm_blocks.py: {option} expects numbers from 1 to 4096, found {text!r}")
    return values


def cpu_flags():
    """The CPU's feature flags from /proc/cpuinfo, or None where there is no such file."""
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("flags"):
                    return set(line.partition(":")[2].split())
    except OSError:
        return None
    return set()


def current(variant):
    """The package's (MC, KC) for the variant, read from gemm.c's defaults."""
    prefix = "DESCENT_SGEMM512" if variant == "avx512" else "DESCENT_SGEMM"
    with open(os.path.join(KERNELS, "gemm.c")) as file:
        source = file.read()
    found = [int(re.search(rf"#define {prefix}_{name} (\d+)", source).group(1)) for name in ("MC", "KC")]
    return tuple(found)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", choices=["avx512", "avx2"],
                        help="the kernel whose blocks to try (default: avx512 where the CPU has it, else avx2)")
    parser.add_argument("--mc", default="48,96,144,192", help="MC values, multiples of the tile's rows (12 or 6)")
    parser.add_argument("--kc", default="192,256,384,512", help="KC values")
    parser.add_argument("--rounds", type=int, default=3, help="times each choice runs (medians)")
    parser.add_argument("--cc", default="clang",
                        help="the C compiler (default clang, the one SwiftPM builds the package's C with)")
    args = parser.parse_args()
    if not shutil.which(args.cc):
        raise SystemExit(f"gemm_blocks.py: --cc {args.cc!r} is not a program on PATH (clang: the Swift toolchain's)")
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, found {args.rounds}")
    if platform.machine() not in ("x86_64", "AMD64"):
        raise SystemExit(f"gemm_blocks.py: tries the x86-64 kernels' blocks; this is {platform.machine()}")
    flags = cpu_flags()
    if args.variant is None:
        args.variant = "avx512" if flags is None or "avx512f" in flags else "avx2"
    needed = {"avx512": "avx512f", "avx2": "avx2"}[args.variant]
    if flags is not None and needed not in flags:
        raise SystemExit(f"gemm_blocks.py: --variant {args.variant} needs a CPU with {needed}; this one has none "
                         "(try --variant avx2)")
    rows = 12 if args.variant == "avx512" else 6
    mcs, kcs = sizes(args.mc, "--mc"), sizes(args.kc, "--kc")
    if any(mc % rows for mc in mcs):
        raise SystemExit(f"gemm_blocks.py: --mc values must be multiples of {rows} for {args.variant}, found {args.mc}")
    prefix = "DESCENT_SGEMM512" if args.variant == "avx512" else "DESCENT_SGEMM"
    environment = dict(os.environ, DESCENT_KERNELS=args.variant)
    sources = sorted(os.path.join(KERNELS, name) for name in os.listdir(KERNELS) if name.endswith(".c"))
    package = current(args.variant)
    choices = [(mc, kc) for mc in mcs for kc in kcs]
    runs = {choice: [] for choice in choices}  # per choice, per round: GFLOP/s by shape
    shapes = None
    with tempfile.TemporaryDirectory(prefix="descent-blocks-") as folder:
        # Only gemm.c reads the block sizes: the other kernels are compiled once.
        objects = []
        for source in sources + [os.path.join(HERE, "gemm_per_core.c")]:
            if os.path.basename(source) == "gemm.c":
                continue
            objects.append(os.path.join(folder, os.path.basename(source) + ".o"))
            subprocess.run([args.cc, "-O2", "-std=gnu11", f"-I{KERNELS}/include", f"-I{KERNELS}", "-c", source,
                            "-o", objects[-1]], check=True, stderr=subprocess.DEVNULL)
        binaries = {}
        for mc, kc in choices:
            binaries[(mc, kc)] = os.path.join(folder, f"gemm_{mc}_{kc}")
            subprocess.run([args.cc, "-O2", "-std=gnu11", f"-D{prefix}_MC={mc}", f"-D{prefix}_KC={kc}",
                            f"-I{KERNELS}/include", f"-I{KERNELS}", os.path.join(KERNELS, "gemm.c")]
                           + objects + ["-o", binaries[(mc, kc)], "-lm", "-lpthread"], check=True,
                           stderr=subprocess.DEVNULL)
        # Round by round, every choice once, in an order reversed every other round, so that a
        # slow spell of a shared machine does not fall on one choice only.
        for round in range(args.rounds):
            print(f"round {round + 1}/{args.rounds}", file=sys.stderr)
            for choice in (choices if round % 2 == 0 else choices[::-1]):
                output = subprocess.run([binaries[choice], "mlp"], check=True, capture_output=True, text=True,
                                        env=environment).stdout
                figures = [match for match in map(LINE.match, map(str.strip, output.splitlines())) if match]
                shapes = shapes or [f"{m.group(1)} ({m.group(2)}×{m.group(3)}×{m.group(4)})" for m in figures]
                runs[choice].append([float(m.group(5)) for m in figures])
    results = [(mc, kc, [statistics.median(run[i] for run in runs[(mc, kc)]) for i in range(len(shapes))])
               for mc, kc in choices]
    print(f"{args.variant} kernels, one core, GFLOP/s (m×n×k), medians of {args.rounds} rounds; "
          "* the package's current blocks")
    print("| MC × KC | " + " | ".join(shapes) + " | mean |")
    print("| --- |" + " ---: |" * (len(shapes) + 1))
    for mc, kc, figures in results:
        mark = " *" if (mc, kc) == package else ""
        print(f"| {mc} × {kc}{mark} | " + " | ".join(f"{value:.1f}" for value in figures)
              + f" | {statistics.mean(figures):.1f} |")


if __name__ == "__main__":
    main()
