#!/usr/bin/env bash
# Descent on an NVIDIA GPU, in one command (under five minutes): the backends' cross-check of
# cuda against reference, 100 training steps on the GPU against the same on the CPU (and through
# a CUDA training graph against ungraphed), then W1, W2, W4 and W3 for Descent on the GPU, eager
# and graphed, and — where PyTorch with CUDA is installed — for PyTorch on the same GPU, side by side.
#
#   Benchmarks/cuda.sh [RESULTS_FOLDER]
#
# It uses the binaries in $DESCENT_BIN (default: .build/release), building them first when Swift
# is here and they are missing:
#     swift build -c release --static-swift-stdlib --product descent-crosscheck
#     swift build -c release --static-swift-stdlib --product descent-cuda-bench
# Statically linked, they run on a GPU machine without Swift: copy them there with this script.
# CUDA is loaded at run time: the driver (libcuda.so.1), cuBLAS and NVRTC (12 or 13), found in
# the system's library path, /usr/local/cuda, Python wheels (pip install nvidia-cublas-cu12
# nvidia-cuda-nvrtc-cu12) or DESCENT_CUDA_PATH (see README, "CUDA"). Set PYTHON to the Python
# that has torch (default: python3).
set -uo pipefail
cd "$(dirname "$0")/.."
results="${1:-cuda-results}"
mkdir -p "$results"
bin="${DESCENT_BIN:-.build/release}"
python="${PYTHON:-python3}"
# DESCENT_DEVICE=cpu and DESCENT_BENCH_OPTIONS="--workloads w2" try the script without a GPU.
device="${DESCENT_DEVICE:-cuda}"

if [ ! -x "$bin/descent-crosscheck" ] || [ ! -x "$bin/descent-cuda-bench" ]; then
    if command -v swift > /dev/null; then
        swift build -c release --static-swift-stdlib --product descent-crosscheck \
            && swift build -c release --static-swift-stdlib --product descent-cuda-bench || exit 2
    else
        echo "no binaries in $bin and no Swift to build them: set DESCENT_BIN" >&2
        exit 2
    fi
fi

{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2> /dev/null || echo "nvidia-smi not found"; } | tee "$results/gpu.txt"

echo "== cross-check: $device against reference"
# Each primitive's name goes to crosscheck.err before its check: after a trap, the last one names it.
timeout 100 "$bin/descent-crosscheck" --device "$device" --all > "$results/crosscheck.txt" 2> "$results/crosscheck.err"
crosscheck=$?
if [ $crosscheck -ge 2 ]; then
    echo "the cross-check stopped (exit $crosscheck) at: $(tail -3 "$results/crosscheck.err" | tr '\n' ' ')"
    # Again with a wait after every launch, so that the failing kernel is the one named.
    echo "again with DESCENT_CUDA_SYNC=1:"
    DESCENT_CUDA_SYNC=1 timeout 60 "$bin/descent-crosscheck" --device "$device" > "$results/crosscheck-sync.txt" 2>&1
    tail -8 "$results/crosscheck-sync.txt"
fi
grep -v " — ok$" "$results/crosscheck.txt" | head -80
echo "(exit $crosscheck; every case in $results/crosscheck.txt)"

echo "== 100 training steps (dropout, Adam, a step schedule) on $device and on the CPU"
timeout 60 "$bin/descent-cuda-bench" --device "$device" --workloads agree > "$results/agree.txt" 2>&1
agree=$?
cat "$results/agree.txt"; echo "(exit $agree)"

# One process per workload, so that one that fails or runs long does not hide the others.
echo "== Descent on $device"
# w1g, w2g, w3g: the same with each training step replayed from a CUDA graph (CUDATrainingGraph).
for workload in ${DESCENT_WORKLOADS:-w1 w2 w4 w3 w1g w2g w3g}; do
    timeout 75 "$bin/descent-cuda-bench" --device "$device" --workloads "$workload" --json ${DESCENT_BENCH_OPTIONS:-} \
        > "$results/descent-$workload.json" 2> "$results/descent-$workload.err"
    echo "$workload (exit $?): $(cat "$results/descent-$workload.json")"; tail -5 "$results/descent-$workload.err"
done

# Where the time goes: each operation's own GPU time (DESCENT_CUDA_PROFILE=1 waits around every
# one), for a short W2 and 100 steps of W3.
echo "== Descent's operations on $device, one at a time (DESCENT_CUDA_PROFILE=1)"
for workload in w2 w3; do
    DESCENT_CUDA_PROFILE=1 timeout 60 "$bin/descent-cuda-bench" --device "$device" --workloads "$workload" --steps 100 \
        > /dev/null 2> "$results/profile-$workload.txt"
    echo "$workload (exit $?):"; grep -A12 "DESCENT_CUDA_PROFILE" "$results/profile-$workload.txt"
done

if "$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2> /dev/null; then
    echo "== PyTorch on the same GPU (TF32 off)"
    timeout 100 "$python" Benchmarks/pytorch_cuda_bench.py --json > "$results/pytorch.json" 2> "$results/pytorch.err"
    echo "(exit $?)"; cat "$results/pytorch.json"; tail -5 "$results/pytorch.err"
else
    echo "== PyTorch with CUDA is not installed here ($python): Descent's figures only"
    echo "{}" > "$results/pytorch.json"
fi

# Side by side.
"$python" - "$results" <<'PY' 2> /dev/null || true
import json, sys
folder = sys.argv[1]
def load(name):
    try:
        return json.load(open(f"{folder}/{name}"))
    except Exception:
        return {}
import glob, os
descent = {}
for path in sorted(glob.glob(f"{folder}/descent-*.json")):
    descent.update(load(os.path.basename(path)))
torch = load("pytorch.json")
print(f"\n{'figure':34} {'Descent':>12} {'PyTorch':>12}")
# A graphed figure sits beside PyTorch's eager one (PyTorch's script does not capture graphs).
rows = [("w1_epoch_seconds", "w1_epoch_seconds"), ("w1_graph_epoch_seconds", "w1_epoch_seconds"),
        ("w2_steps_per_second", "w2_steps_per_second"), ("w2_graph_steps_per_second", "w2_steps_per_second"),
        ("w4_batch1_latency_us", "w4_batch1_latency_us"), ("w4_batch1_graph_latency_us", "w4_batch1_latency_us"),
        ("w4_batch1000_samples_per_second", "w4_batch1000_samples_per_second"),
        ("w3_epoch_seconds", "w3_epoch_seconds"), ("w3_graph_epoch_seconds", "w3_epoch_seconds")]
for name, torch_name in rows:
    d, t = descent.get(name), torch.get(torch_name)
    show = lambda v: "—" if v is None else f"{v:.4g}"
    print(f"{name:34} {show(d):>12} {show(t):>12}")
PY
[ $crosscheck -eq 0 ] && [ $agree -eq 0 ]
