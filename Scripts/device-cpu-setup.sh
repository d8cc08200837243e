# Sourced on a lent GPU machine, in the checkout's root, by Scripts/device-cpu-targets.sh (and by
# any other command run there with .build/cpu-bench carried): unpacks descent-bench and the
# libraries it brings (Scripts/device-cpu-build.sh) into .build/release, where the benchmark
# scripts look for it, and makes the carried MNIST appear where both sides look for it.
source Scripts/unxz.sh
mkdir -p .build/release
unxz .build/cpu-bench/descent-bench.xz > .build/release/descent-bench && chmod +x .build/release/descent-bench
python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' \
    .build/cpu-bench/curl-lib.tar.xz .build/release
# descent-bench looks for MNIST beside the checkout it was built from, the PyTorch side beside
# this one: both find the carried copy.
built_root="$(grep -a -m1 -o '/[^ ]*/Benchmarks/DescentBench/main.swift' .build/release/descent-bench | sed 's|/Benchmarks/DescentBench/main.swift||')"
for root in "$built_root" "$PWD"; do
    [ -n "$root" ] || continue
    mkdir -p "$root/../shared/data" && [ -e "$root/../shared/data/mnist" ] || ln -s "$PWD/.build/cpu-bench/mnist" "$root/../shared/data/mnist"
done
