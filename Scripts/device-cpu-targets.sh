#!/usr/bin/env bash
# Runs Benchmarks/cpu_targets.py on a lent GPU machine's processor: issue 17's targets side by
# side with PyTorch (MKL) and numpy (OpenBLAS), 2 threads, on another CPU than this one's.
# Build first with Scripts/device-cpu-build.sh; then, with the device tool, command
# `Scripts/device-cpu-targets.sh [cpu_targets.py's options]`, carry [".build/cpu-bench"],
# timeout about 590 s. The report comes back as $OUT/cpu-targets.md (written part by part, so a
# run stopped by the time limit still brings back what it measured), the log as $OUT/log.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-cpu-results}"
mkdir -p "$out"
source Scripts/device-cpu-setup.sh
{
    date -u
    cat .build/cpu-bench/commit.txt
    lscpu 2>/dev/null || grep -m1 "model name" /proc/cpuinfo
    nproc
    python3 -c 'import torch, numpy; print("torch", torch.__version__, "mkl", torch.backends.mkl.is_available(), "numpy", numpy.__version__)'
    command -v cc clang gcc
    ldd .build/release/descent-bench | grep "not found" || echo "descent-bench: every library found"
} 2>&1 | tee "$out/machine.txt"
PYTHONUNBUFFERED=1 timeout "${DESCENT_TARGETS_TIMEOUT:-560}" python3 Benchmarks/cpu_targets.py \
    --rounds 3 --epochs 2 --threads 2 "$@" --out "$out/cpu-targets.md" 2>&1 | tee "$out/log.txt"
