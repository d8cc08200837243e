#!/usr/bin/env bash
# Descent's host-side cost on the CUDA backend, measured without a GPU: descent-cuda-bench runs
# against a do-nothing driver and cuBLAS (Benchmarks/CUDAStub/cuda_stub.c), so what it times is
# Descent's own work per step (graph recording, allocation, argument packing, launches) and what
# STUB_COUNTS=1 prints is how many driver calls a run made.
#
#   Benchmarks/cuda_host_overhead.sh [--workloads w2] …   (options go to descent-cuda-bench)
#
# NVRTC must be found (kernels are still compiled, once, and cached): set DESCENT_CUDA_PATH to a
# folder that has it, e.g. a virtualenv with `pip install nvidia-cuda-nvrtc`.
set -euo pipefail
cd "$(dirname "$0")/.."
stub="$(mktemp -d /tmp/descent-cuda-stub.XXXXXX)"
trap 'rm -rf "$stub"' EXIT
cc -O2 -shared -fPIC -o "$stub/libcuda.so.1" Benchmarks/CUDAStub/cuda_stub.c
cp "$stub/libcuda.so.1" "$stub/libcublas.so.13"
swift build -c release --product descent-cuda-bench > /dev/null
DESCENT_CUDA_PATH="$stub${DESCENT_CUDA_PATH:+:$DESCENT_CUDA_PATH}" DESCENT_CUDA_CACHE="$stub/cache" \
    .build/release/descent-cuda-bench "$@"
