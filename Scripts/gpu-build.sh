#!/usr/bin/env bash
# Builds what Scripts/gpu-session.sh runs on a GPU machine without Swift: descent-crosscheck and
# descent-cuda-bench, statically linked (--static-swift-stdlib), stripped and xz-compressed into
# .build/gpu-bin (about 15 MB each: the device tool carries at most 64 MiB, and the test bundle of
# Scripts/gpu-test-build.sh, about 21 MB, can travel in the same call).
#
#   Scripts/gpu-build.sh
# then, with the device tool: command `Scripts/gpu-session.sh`, carry [".build/gpu-bin"].
set -euo pipefail
cd "$(dirname "$0")/.."
for product in descent-crosscheck descent-cuda-bench; do
    swift build -c release --static-swift-stdlib --product "$product"
done
mkdir -p .build/gpu-bin
for product in descent-crosscheck descent-cuda-bench; do
    strip -o ".build/gpu-bin/$product" ".build/release/$product"
    rm -f ".build/gpu-bin/$product.gz"
    xz -9 -T2 -f ".build/gpu-bin/$product"
done
{ git rev-parse HEAD 2> /dev/null || echo "not a git checkout"; } > .build/gpu-bin/commit.txt
ls -la .build/gpu-bin
# They run here too: without a GPU, each says what it looked for (exit 3).
xz -dc .build/gpu-bin/descent-crosscheck.xz > /tmp/descent-crosscheck-check && chmod +x /tmp/descent-crosscheck-check
/tmp/descent-crosscheck-check --device cpu | tail -1
/tmp/descent-crosscheck-check --device cuda 2>&1 | head -2 || true
rm -f /tmp/descent-crosscheck-check
