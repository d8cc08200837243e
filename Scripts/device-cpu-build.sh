#!/usr/bin/env bash
# Builds what Scripts/device-cpu-targets.sh needs to run Benchmarks/cpu_targets.py (issue 17's
# targets) on the processor of a lent GPU machine, which has Python, PyTorch and numpy but no
# Swift: descent-bench, statically linked against the Swift libraries, into .build/cpu-bench.
#
# descent-bench links Foundation's networking (DescentData can download data sets), and Swift's
# static Foundation wants libcurl at link time: it is linked dynamically here, and the libraries
# it needs beyond the C library's travel beside it, found through the binary's RPATH (the old
# DT_RPATH rather than RUNPATH: it serves libcurl's own dependencies too, which a machine without
# libcurl lacks as well). MNIST travels too (the device tool does not carry ../shared).
#
#   Scripts/device-cpu-build.sh
# then, with the device tool: command `Scripts/device-cpu-targets.sh`, carry [".build/cpu-bench"].
set -euo pipefail
cd "$(dirname "$0")/.."
curl="$(ldconfig -p | awk '/libcurl\.so\.4 .*x86-64/ {print $NF; exit}')"
if [ -z "$curl" ]; then
    echo "device-cpu-build.sh: no libcurl.so.4 here (Debian: apt-get install libcurl4)" >&2
    exit 1
fi
links="$(mktemp -d)"
ln -s "$curl" "$links/libcurl.so"
swift build -c release --static-swift-stdlib --product descent-bench \
    -Xlinker -L"$links" -Xlinker -rpath -Xlinker '$ORIGIN/curl-lib' -Xlinker --disable-new-dtags
rm -rf .build/cpu-bench "$links"
mkdir -p .build/cpu-bench/curl-lib
strip -o .build/cpu-bench/descent-bench .build/release/descent-bench
xz -9 -T2 .build/cpu-bench/descent-bench
for library in $(ldd .build/release/descent-bench | awk '/=> \// {print $3}'); do
    case "$(basename "$library")" in
        libc.so.*|libm.so.*|libresolv.so.*|libstdc++.so.*|libgcc_s.so.*) ;;  # the machine's own
        *) cp -L "$library" .build/cpu-bench/curl-lib/ ;;
    esac
done
tar -cJf .build/cpu-bench/curl-lib.tar.xz -C .build/cpu-bench curl-lib && rm -r .build/cpu-bench/curl-lib
cp -r ../shared/data/mnist .build/cpu-bench/mnist
{ git rev-parse HEAD 2> /dev/null || echo "not a git checkout"; } > .build/cpu-bench/commit.txt
du -sh .build/cpu-bench/*
# The static build leaves .build/release's other executables linked against a changed build:
# rebuild them (`swift build -c release`) before running them here.
