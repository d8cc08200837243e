#!/usr/bin/env bash
# Builds Tests/CKernels/kernel_check.c with the package's C kernels and runs it:
#   1. natively (AVX-512 and AVX2 + FMA kernels where the CPU has them, and the portable ones;
#      each also with the fused bias + ReLU epilogue, bit for bit against the unfused path),
#      then again with DESCENT_KERNELS=avx2 and =portable for the kernels that follow that choice
#      (the bits of batch norm, GELU, the exponentials and depthwise must not change);
#      and with DESCENT_GEMM_B_IN_PLACE=0 and =1 (the AVX-512 products with B packed or read in place);
#   2. cross-compiled for ARM64 and run under qemu-user (the NEON kernels), when
#      aarch64-linux-gnu-gcc and qemu-aarch64 are installed:
#        apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
# and checks that the random streams give the same numbers on both.
# Not part of `swift test` (it needs a cross compiler and an emulator); run it by hand.
set -euo pipefail
cd "$(dirname "$0")/../.."
kernels=Sources/CDescentKernels
sources=$(ls $kernels/*.c)
out=${TMPDIR:-/tmp}/descent-kernel-check
mkdir -p "$out"

echo "== native ($(uname -m))"
cc -O2 -std=c11 -D_GNU_SOURCE -I$kernels/include -I$kernels Tests/CKernels/kernel_check.c $sources \
    -o "$out/native" -lm -lpthread
"$out/native" | tee "$out/native.txt"
# The Winograd transforms, batch norm, GELU, the exponentials, the depthwise convolution and
# ReLU's gradient follow the matrix multiply's variant: check the lesser ones too, and that the
# last five give the same bits in each.
for variant in avx2 portable; do
    echo "== native with DESCENT_KERNELS=$variant"
    DESCENT_KERNELS=$variant "$out/native" > "$out/native-$variant.txt"
    tail -n 1 "$out/native-$variant.txt"
    for kernel in "batch norm" gelu exponentials depthwise "relu gradient"; do
        if [ "$(grep "$kernel digest" "$out/native.txt")" != "$(grep "$kernel digest" "$out/native-$variant.txt")" ]; then
            echo "FAIL: $kernel gives other bits with DESCENT_KERNELS=$variant" >&2
            exit 1
        fi
    done
done
echo "batch norm, gelu, exponentials, depthwise and relu gradient: the same bits with every variant"
# The AVX-512 products read an untransposed B in place on Zen 4 only (gemm.c): check both ways.
for inPlace in 0 1; do
    echo "== native with DESCENT_GEMM_B_IN_PLACE=$inPlace"
    DESCENT_GEMM_B_IN_PLACE=$inPlace "$out/native" | tail -n 1
done

if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
    echo "== arm64 under qemu-user"
    aarch64-linux-gnu-gcc -O2 -std=c11 -D_GNU_SOURCE -I$kernels/include -I$kernels \
        Tests/CKernels/kernel_check.c $sources -o "$out/arm64" -lm -lpthread
    qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/arm64" | tee "$out/arm64.txt"
    if [ "$(grep digest "$out/native.txt")" != "$(grep digest "$out/arm64.txt")" ]; then
        echo "FAIL: the random streams differ between $(uname -m) and arm64" >&2
        exit 1
    fi
    echo "random streams: the same on $(uname -m) and arm64"
else
    echo "== arm64 skipped: install gcc-aarch64-linux-gnu, libc6-dev-arm64-cross and qemu-user"
fi
