#!/usr/bin/env python3
"""The matrix multiply's micro-kernels on CPUs this project has no machine of, as LLVM's
scheduling models see them: a static estimate, not a measurement.

Usage:
    python3 Benchmarks/kernel_mca.py [--mca llvm-mca-19] [--cc clang] [--cpus x86=...,arm=...]
                                     [--keep DIR]

Needs clang (the Swift toolchain's is fine) and llvm-mca (Debian: `apt-get install llvm-19`,
which installs llvm-mca-19; older ones lack the Zen 4 and Neoverse V2 models); for the ARM64
kernel also the AArch64 C headers (`apt-get install libc6-dev-arm64-cross`). Takes seconds.

What it does, for each float micro-kernel (AVX2 + FMA 6×16, AVX-512 12×32, NEON 6×16):

1. compiles its C file as the package does (clang -O2, for x86-64 or AArch64) to assembly;
2. takes the micro-kernel's main loop for the full tile (the innermost loop of the kernel's
   function holding the tile's FMAs for as many steps of the shared dimension as the source
   takes at a time: one step, 12 FMAs for AVX2, 24 for AVX-512 and NEON), as the compiler wrote
   it: the loads of A and B, the broadcasts, the FMAs, the loop counter;
3. runs llvm-mca on that loop for each CPU model (1,000 iterations) and, as the yardstick, on a
   loop of the same number of independent FMAs of the same width with nothing else in it:
   the model's own FMA peak. The share is the yardstick's cycles over the kernel's, so a
   quirk of a model's FMA units (LLVM models Ice Lake and Sapphire Rapids servers with one
   512-bit FMA unit, where the Xeon Gold and Platinum parts have two) cancels out of it.

What it cannot see: caches and memory (every load hits L1), the packing and the driver
around the kernel, clock speeds (Intel's lower AVX-512 frequencies among them), and how far a
model is from its CPU. A share well under 100 % points at the loop itself (too few
accumulators for the FMA latency, too many loads per FMA, a port the broadcasts share with
the FMAs); 100 % says only that the loop cannot go faster on that model.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KERNELS = os.path.join(ROOT, "Sources", "CDescentKernels")

# CPU models (llvm-mca -mcpu names) by instruction set. Zen 2 and Zen 3 have no AVX-512.
X86_AVX2 = ["znver2", "znver3", "znver4", "skylake-avx512", "cascadelake", "icelake-server",
            "sapphirerapids"]
X86_AVX512 = ["znver4", "skylake-avx512", "cascadelake", "icelake-server", "sapphirerapids"]
ARM64 = ["neoverse-n1", "neoverse-n2", "neoverse-v1", "neoverse-v2", "ampere1", "apple-m1"]

# (name, C file, target triple, function, FMA mnemonic, FMAs per step of the full tile, steps
#  per iteration of the kernel's main loop (1 in each now; a kernel unrolled by hand has more),
#  FLOP per FMA, the yardstick's FMA instruction with {i} for its accumulator, in the kernel's
#  own form (NEON's FMA by lane can cost differently from the plain one in a model), and how
#  many accumulators the yardstick has (the kernel's own number))
KERNEL_TABLE = [
    ("sgemm AVX2 + FMA 6×16", "gemm_kernels_avx2.c", "x86_64-linux-gnu", "descent_sgemm_kernel_avx2",
     "vfmadd", 12, 1, 16, "vfmadd231ps %ymm14, %ymm15, %ymm{i}", 12, X86_AVX2),
    ("sgemm AVX-512 12×32", "gemm_kernels_avx512.c", "x86_64-linux-gnu", "descent_sgemm_kernel_avx512",
     "vfmadd", 24, 1, 32, "vfmadd231ps %zmm30, %zmm31, %zmm{i}", 24, X86_AVX512),
    ("sgemm NEON 6×16", "gemm_kernels_neon.c", "aarch64-linux-gnu", "descent_sgemm_kernel_neon_epilogue",
     "fmla", 24, 1, 8, "fmla v{i}.4s, v30.4s, v31.s[0]", 24, ARM64),
]

LABEL = re.compile(r"^([A-Za-z_.$][\w.$]*):")
X86_BRANCH = re.compile(r"^\s+j\w+\s+(\.\w+)\s*(#.*)?$")
ARM_BRANCH = re.compile(r"^\s+(?:b\.\w+|b|cbn?z\s+\w+,|tbn?z\s+\w+,\s*#\d+,)\s*(\.\w+)\s*(//.*)?$")


def instructions(lines):
    """The instructions among assembly lines: no labels, directives or comments."""
    out = []
    for line in lines:
        text = line.strip()
        if not text or text.startswith((".", "#", "//", ";")) or LABEL.match(line):
            continue
        out.append(line.rstrip())
    return out


def inner_loop(assembly, function, mnemonic, fmas, arm):
    """The innermost loop of `function` with exactly `fmas` FMA instructions: the lines from a
    label to the branch back to it, with no other label between them."""
    lines = assembly.split("\n")
    in_function, labels, found = False, {}, []
    branch = ARM_BRANCH if arm else X86_BRANCH
    for index, line in enumerate(lines):
        match = LABEL.match(line)
        if match:
            name = match.group(1)
            if not name.startswith("."):
                in_function = name == function
                labels = {}
            labels[name] = index
            continue
        if not in_function:
            continue
        match = branch.match(line)
        if match and match.group(1) in labels:
            start = labels[match.group(1)]
            if any(LABEL.match(other) for other in lines[start + 1:index]):
                continue
            body = instructions(lines[start + 1:index + 1])
            if sum(1 for other in body if other.split()[0].startswith(mnemonic)) == fmas:
                found.append(body)
    if not found:
        raise SystemExit(f"kernel_mca: no loop with {fmas} {mnemonic} instructions in {function}; "
                         "has the kernel's tile changed?")
    return min(found, key=len)


def yardstick(fma, fmas, accumulators, arm):
    """A loop of `fmas` FMAs into `accumulators` registers in turn, and its counter: the model's
    FMA peak (with 12 or more accumulators no chain waits on the FMA latency)."""
    body = [fma.format(i=i % accumulators) for i in range(fmas)]
    if arm:
        body += ["subs x0, x0, #1", "b.ne .Lyard"]
    else:
        body += ["decq %rdi", "jne .Lyard"]
    return ".Lyard:\n" + "\n".join("\t" + line for line in body) + "\n"


def cycles_per_iteration(mca, triple, cpu, source, folder, name):
    path = os.path.join(folder, name + ".s")
    with open(path, "w") as f:
        f.write(source)
    result = subprocess.run([mca, f"-mtriple={triple}", f"-mcpu={cpu}", "-iterations=1000", path],
                            capture_output=True, text=True)
    match = re.search(r"Total Cycles:\s+(\d+)", result.stdout)
    if result.returncode != 0 or not match:
        raise SystemExit(f"kernel_mca: {mca} failed for -mcpu={cpu} on {path}:\n{result.stderr.strip()}")
    return int(match.group(1)) / 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mca", default=shutil.which("llvm-mca-19") or "llvm-mca",
                        help="the llvm-mca to run (default: llvm-mca-19, else llvm-mca)")
    parser.add_argument("--cc", default=shutil.which("clang") or "clang",
                        help="the clang to compile the kernels with (default: clang on PATH)")
    parser.add_argument("--keep", metavar="DIR", help="keep the assembly and the loops in DIR")
    args = parser.parse_args()
    for tool, option in ((args.mca, "--mca"), (args.cc, "--cc")):
        if not shutil.which(tool):
            raise SystemExit(f"kernel_mca: {option} {tool!r} is not a program on PATH "
                             "(llvm-mca: apt-get install llvm-19; clang: the Swift toolchain's)")

    if args.keep and os.path.exists(args.keep) and not os.path.isdir(args.keep):
        raise SystemExit(f"kernel_mca: --keep expects a folder, and {args.keep!r} is a file")
    folder = args.keep or tempfile.mkdtemp(prefix="descent-mca-")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as error:
        raise SystemExit(f"kernel_mca: cannot make the --keep folder {folder!r}: {error.strerror}")
    version = subprocess.run([args.mca, "--version"], capture_output=True, text=True).stdout
    match = re.search(r"LLVM version [\w.]+", version)
    print(f"{args.mca}: {match.group(0) if match else 'version unknown'}")
    try:
        print("| kernel | CPU model | cycles per step | at the model's FMA peak | share | FLOP per cycle |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for name, file, triple, function, mnemonic, fmas, steps, flop, fma, accumulators, cpus in KERNEL_TABLE:
            arm = triple.startswith("aarch64")
            assembly_path = os.path.join(folder, file.replace(".c", ".s"))
            compile_command = [args.cc, f"--target={triple}", "-O2", "-S", "-o", assembly_path,
                               f"-I{KERNELS}/include", f"-I{KERNELS}", os.path.join(KERNELS, file)]
            result = subprocess.run(compile_command, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"kernel_mca: compiling {file} for {triple} failed:\n{result.stderr.strip()}")
            with open(assembly_path) as f:
                loop = inner_loop(f.read(), function, mnemonic, fmas * steps, arm)
            stem = file.replace(".c", "")
            with open(os.path.join(folder, stem + ".loop.s"), "w") as f:
                f.write("\n".join(loop) + "\n")
            for cpu in cpus:
                kernel = cycles_per_iteration(args.mca, triple, cpu, "\n".join(loop) + "\n", folder,
                                              f"{stem}.{cpu}") / steps
                peak = cycles_per_iteration(args.mca, triple, cpu, yardstick(fma, fmas * steps, accumulators, arm),
                                            folder, f"{stem}.{cpu}.yardstick") / steps
                print(f"| {name} | {cpu} | {kernel:.2f} | {peak:.2f} | {100 * peak / kernel:.0f} % "
                      f"| {fmas * flop / kernel:.1f} |")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
