#!/usr/bin/env bash
# The CUDA backend checked on the CPU, without a GPU: the stub driver in run mode
# (Benchmarks/CUDAStub/cuda_stub.c with STUB_RUN, see its header and emulator_prelude.h) stands
# for libcuda, cuBLAS and NVRTC; it compiles each kernel group's CUDA C with the host's C++
# compiler and runs the kernels on the CPU, computes the products, and records and replays CUDA
# graphs. Then, against it:
#   1. descent-crosscheck --device cuda: every primitive and derivative rule of the cuda backend
#      against the reference backend;
#   2. descent-cuda-bench --workloads agree: 100 training steps (dropout, Adam, a schedule) on the
#      device against the CPU, and through a CUDATrainingGraph against ungraphed steps;
#   3. the tests that Scripts/gpu-test-session.sh runs on a GPU (layers, costs and optimizers
#      against PyTorch, CUDA graphs, fit's device tests), with DESCENT_TEST_DEVICES=cuda.
# Speed means nothing here (the kernels run one thread at a time); what it checks is what the
# kernels and the graphs compute, so that a GPU session finds its numbers, not its bugs.
# About two minutes on two cores. Needs a C compiler and a C++ compiler (STUB_CXX, default c++).
set -euo pipefail
cd "$(dirname "$0")/.."
driver="$(mktemp -d /tmp/descent-emulated-driver.XXXXXX)"
trap 'rm -rf "$driver"' EXIT
cc -O2 -shared -fPIC -o "$driver/libcuda.so.1" Benchmarks/CUDAStub/cuda_stub.c -lpthread -ldl
ln -s libcuda.so.1 "$driver/libcublas.so.13"
ln -s libcuda.so.1 "$driver/libnvrtc.so.13"
mkdir -p "$driver/cache"
export STUB_RUN="$PWD/Benchmarks/CUDAStub/emulator_prelude.h" DESCENT_CUDA_PATH="$driver" DESCENT_CUDA_CACHE="$driver/cache"

swift build --product descent-crosscheck
swift build --product descent-cuda-bench
status=0
echo "== descent-crosscheck --device cuda (emulated)"
.build/debug/descent-crosscheck --device cuda 2>&1 | grep -v "^checking " || status=1
echo "== descent-cuda-bench --workloads agree (emulated)"
.build/debug/descent-cuda-bench --workloads agree || status=1
echo "== the GPU session's tests, DESCENT_TEST_DEVICES=cuda (emulated)"
swift build --build-tests
DESCENT_TEST_DEVICES=cuda NO_COLOR=1 swift test --skip-build --no-parallel \
    --filter "DescentNNTests|CUDAGraphTests|ReadmeExampleTests/the(Training)?GraphExample|DeviceTrainingTests" \
    --skip "ModelFormatDocumentTests|mismatchedInputTrapsWithAClearMessage" 2>&1 | grep -E "^✘|Test run with" || status=1
exit $status
