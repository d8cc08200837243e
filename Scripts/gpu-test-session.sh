#!/usr/bin/env bash
# Runs the layer, cost-function and optimizer tests against PyTorch (the DescentNNTests target,
# which also holds CUDATrainingGraph's tests) on a GPU machine without Swift, on cpu, reference
# and cuda (DESCENT_TEST_DEVICES, `cuda` unless set), with the CUDA graph tests of DescentCoreTests,
# the README's two graph examples and fit's device tests (with and without CUDA graphs), from the
# archive that Scripts/gpu-test-build.sh packed into .build/gpu-tests.
# Writes two files under $OUT: tests.log (everything) and summary.txt (the machine, each failure,
# the verdict and the exit status: 0 when every test passed).
#
# With the device tool: command `Scripts/gpu-test-session.sh`, carry [".build/gpu-tests"],
# timeout about 400 s (the tests stop at DESCENT_TEST_TIMEOUT, 300 s unless set).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-gpu-test-results}"
mkdir -p "$out"
log="$out/tests.log" summary="$out/summary.txt"
tests="$(mktemp -d /tmp/descent-tests.XXXXXX)"
source Scripts/unxz.sh
unxz "${DESCENT_PACKED_TESTS:-.build/gpu-tests}/descent-tests.tar.xz" | tar -xf - -C "$tests" || exit 2
# The Swift runtime, swift-testing and Foundation come from the archive (the binary also looks
# beside itself); nothing of a toolchain is needed.
export LD_LIBRARY_PATH="$tests${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Where the machine has no libcurl.so.4, the archive's stand-in (see Scripts/gpu-test-build.sh).
if ldd "$tests/DescentPackageTests.xctest" | grep -q "libcurl.so.4 => not found"; then
    export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$tests/no-curl"
fi
export DESCENT_TEST_DEVICES="${DESCENT_TEST_DEVICES:-cuda}"
# Plain text in the log, whatever the terminal, so that failures can be found with grep.
export NO_COLOR=1
# As Scripts/gpu-session.sh: cuBLAS and NVRTC may come from PyTorch's pip wheels (nvidia/*/lib
# in site-packages), and the compiled kernels are cached in /tmp.
if [ -z "${DESCENT_CUDA_PATH:-}" ] && command -v python3 > /dev/null; then
    DESCENT_CUDA_PATH="$(python3 -c 'import site; print(":".join(site.getsitepackages() + [site.getusersitepackages()]))' 2> /dev/null || true)"
    export DESCENT_CUDA_PATH
fi
export DESCENT_CUDA_CACHE="${DESCENT_CUDA_CACHE:-/tmp/descent-cuda-cache}"

{
    date -u
    echo "commit $(cat "$tests/commit.txt")"
    if command -v nvidia-smi > /dev/null; then nvidia-smi -L | head -4; else echo "no nvidia-smi"; fi
    echo "DESCENT_TEST_DEVICES=$DESCENT_TEST_DEVICES DESCENT_CUDA_PATH=${DESCENT_CUDA_PATH:-}"
    # Every library the binary loads, to see that none is missing.
    ldd "$tests/DescentPackageTests.xctest" | grep -E "not found|libswiftCore|libTesting|libcurl|libc\.so"
} > "$summary" 2>&1

# One test at a time: a GPU failure that stops the process is then known by the last test that
# started, and a wrong value by the test and device that the log names. Two tests cannot run
# here: ModelFormatDocumentTests reads Documentation/ at the path of the checkout that built the
# binary, and mismatchedInputTraps… reads a precondition's message, which a release build does
# not print.
timeout "${DESCENT_TEST_TIMEOUT:-300}" "$tests/DescentPackageTests.xctest" --testing-library swift-testing \
    --no-parallel --filter "DescentNNTests|CUDAGraphTests|ReadmeExampleTests/the(Training)?GraphExample|DeviceTrainingTests" --skip "ModelFormatDocumentTests|mismatchedInputTrapsWithAClearMessage" \
    > "$log" 2>&1
status=$?
{
    grep -E "^✘" "$log" | grep -v "Test run with" | cut -c1-600 | head -40
    tail -1 "$log"
    case $status in
        0) echo "exit 0: every test passed" ;;
        1) echo "exit 1: the tests above failed (tests.log has each message in full)" ;;
        124) echo "exit 124: stopped after ${DESCENT_TEST_TIMEOUT:-300} s; the last test started:" && grep "started" "$log" | tail -1 ;;
        *) echo "exit $status: the process stopped; the last test started:" && grep "started" "$log" | tail -1 ;;
    esac
} >> "$summary"
cat "$summary"
exit "$status"
