#!/usr/bin/env bash
# The one script a GPU session runs on the lent machine (CUDA, no Swift): it takes the statically
# linked binaries built on this side, runs the cross-check of cuda against reference and the
# W1/W2/W4 benchmarks (Benchmarks/cuda.sh), and writes everything under $OUT.
#
# On the Swift side, first `Scripts/gpu-build.sh` (the two binaries, static, stripped and
# xz-compressed into .build/gpu-bin) and `Scripts/gpu-test-build.sh` (the test bundle in
# .build/gpu-tests), then run, with the device tool, `Scripts/gpu-session.sh` carrying both
# folders (timeout about 560 s: each step has its own time limit inside). Where the test bundle
# is there, the layer, cost-function and optimizer tests run on the GPU after the benchmarks
# (Scripts/gpu-test-session.sh; their summary comes back as tests-summary.txt, their log in the
# archive)..
set -uo pipefail
cd "$(dirname "$0")/.."
# The device tool brings back at most 8 files from $OUT: the results are written to a folder of
# their own and packed into one archive there at the end.
final="${OUT:-gpu-results}"
out="$(mktemp -d /tmp/gpu-results.XXXXXX)"
mkdir -p "$final"
packed="${DESCENT_PACKED_BIN:-.build/gpu-bin}"
export DESCENT_BIN="${DESCENT_BIN:-/tmp/descent-bin}"
mkdir -p "$DESCENT_BIN"
source Scripts/unxz.sh
for file in "$packed"/*.xz; do
    [ -e "$file" ] || continue
    unxz "$file" > "$DESCENT_BIN/$(basename "$file" .xz)" && chmod +x "$DESCENT_BIN/$(basename "$file" .xz)"
done
cp "$packed/commit.txt" "$out/" 2>/dev/null || true
# Python's site-packages, wherever this machine's Python keeps them (conda, /opt/…): PyTorch's
# pip wheels bring cuBLAS and NVRTC in their nvidia/*/lib folders, which Descent can use too.
if [ -z "${DESCENT_CUDA_PATH:-}" ] && command -v python3 > /dev/null; then
    DESCENT_CUDA_PATH="$(python3 -c 'import site; print(":".join(site.getsitepackages() + [site.getusersitepackages()]))' 2> /dev/null || true)"
    export DESCENT_CUDA_PATH
fi
# Compiled kernels are cached beside the results (the first run compiles them: a few seconds).
export DESCENT_CUDA_CACHE="${DESCENT_CUDA_CACHE:-/tmp/descent-cuda-cache}"

{
    date -u
    uname -a
    nvidia-smi 2>&1 | head -20
    echo "--- CUDA libraries the loader can see"
    ldconfig -p 2>/dev/null | grep -E "libcuda\.so|libcublas\.so|libnvrtc\.so" || echo "(none in ldconfig)"
    ls -d /usr/local/cuda*/lib64 2>/dev/null
    python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)" 2>&1 | tail -1
    echo "DESCENT_CUDA_PATH=${DESCENT_CUDA_PATH:-}"
    ls -la "$DESCENT_BIN" 2>&1
} > "$out/machine.txt" 2>&1
cat "$out/machine.txt"

Benchmarks/cuda.sh "$out" 2>&1 | tee "$out/summary.txt"
status=${PIPESTATUS[0]}
echo "cuda.sh exit $status" | tee -a "$out/summary.txt"
if [ -e "${DESCENT_PACKED_TESTS:-.build/gpu-tests}/descent-tests.tar.xz" ]; then
    echo "== the reference tests of layers, costs and optimizers on the GPU (Scripts/gpu-test-session.sh)"
    OUT="$out/tests" DESCENT_TEST_TIMEOUT="${DESCENT_TEST_TIMEOUT:-240}" Scripts/gpu-test-session.sh > /dev/null 2>&1
    tests=$?
    cp "$out/tests/summary.txt" "$final/tests-summary.txt" 2> /dev/null
    tail -15 "$out/tests/summary.txt" 2> /dev/null
    echo "gpu-test-session.sh exit $tests" | tee -a "$out/summary.txt"
    [ "$status" -eq 0 ] && status=$tests
fi
cp "$out/summary.txt" "$final/"
tar -czf "$final/results.tar.gz" -C "$out" .
exit "$status"
