#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/Targets and runs each for a set time.
#
#   Fuzz/run.sh [SECONDS-PER-TARGET] [TARGET ...]     (default: 60 seconds, every target)
#   FUZZ_JOBS=2 Fuzz/run.sh 600 Gzip IDX              (targets run side by side, 2 at a time)
#   FUZZ_RUNS=1000000 Fuzz/run.sh 1800                 (each stops after a million executions,
#                                                      or at the time limit if that comes first)
#
# The package's modules are built by SwiftPM into .build-fuzz/ (not .build/, so that the fuzzing
# flags never reach a normal build) with coverage instrumentation and AddressSanitizer; each
# target is then one Swift file compiled with -sanitize=fuzzer and linked with their objects.
# Every run starts from the committed seeds (Fuzz/Corpus/TARGET) and the inputs earlier runs
# found (.build-fuzz/corpus/TARGET). A crash, a hang (-timeout), an allocation past
# -malloc_limit_mb or a memory use past -rss_limit_mb stops a target and leaves the input in
# .build-fuzz/artifacts/; the script then exits non-zero. Figures go to .build-fuzz/logs/.
# Leaks are not looked for (-detect_leaks=0): Foundation's file reading leaks a buffer on some
# inputs, and a leak is neither a crash nor unbounded memory.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all=(CSV Table IDX Gzip NPY NPZ SafeTensors ModelJSON Image Tar)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
jobs=${FUZZ_JOBS:-1}
runs=${FUZZ_RUNS:--1}
build=.build-fuzz
mkdir -p "$build/bin" "$build/logs" "$build/artifacts"

echo "== building the package's modules for fuzzing (into $build)"
swift build -c release --build-path "$build" --target DescentTrain \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -g -Xcc -fsanitize=fuzzer-no-link,address
products=$(cd "$build/release" && pwd -P)
# SwiftPM names the package after its folder; the targets need the same name for `package` access.
package=$(grep -o '"-package-name","[^"]*"' "$build/release.yaml" | grep -v swift_argument_parser | head -1 | cut -d'"' -f4)
objects=()
for module in CDescentKernels CDescentImages CDescentCUDA DescentCore DescentNN DescentData DescentTrain; do
    while IFS= read -r object; do objects+=("$object"); done < <(find "$products/$module.build" -name '*.o' | sort)
done

for target in "${targets[@]}"; do
    source=Fuzz/Targets/$target.swift
    binary=$build/bin/$target
    if [ ! -x "$binary" ] || [ -n "$(find "$source" "$products"/*.build -newer "$binary" -name '*.[os]*' -print -quit)" ]; then
        echo "== compiling $target"
        swiftc -swift-version 6 -sanitize=fuzzer,address -parse-as-library -O -g -module-name "Fuzz$target" -use-ld=lld \
            -package-name "$package" -I "$products/Modules" \
            -Xcc -fmodule-map-file="$products/CDescentKernels.build/module.modulemap" \
            -Xcc -fmodule-map-file="$products/CDescentImages.build/module.modulemap" \
            -Xcc -fmodule-map-file="$products/CDescentCUDA.build/module.modulemap" \
            -I Sources/CDescentKernels/include -I Sources/CDescentImages/include -I Sources/CDescentCUDA/include \
            "$source" "${objects[@]}" -o "$binary"
    fi
done

# Inputs are kept small (as the formats' interesting parts are their headers) so that each
# target reaches a million executions in minutes; images and archives need a little more room.
max_len() {
    case $1 in
        Image) echo 16384 ;;
        Tar) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

# LeakSanitizer's report at exit is off too (see above).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

run() {
    local target=$1
    mkdir -p "$build/corpus/$target"
    echo "== fuzzing $target for $seconds s"
    if "$build/bin/$target" "$build/corpus/$target" "Fuzz/Corpus/$target" \
        -max_total_time="$seconds" -runs="$runs" -max_len="$(max_len "$target")" -timeout=10 \
        -malloc_limit_mb=500 -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$target-" > "$build/logs/$target.log" 2>&1; then
        result=ok
    else
        result="FAILED (see $build/logs/$target.log)"
    fi
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/logs/$target.log" | tail -1 | grep -o '[0-9]*$' || echo "?")
    elapsed=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$build/logs/$target.log" | tail -1 | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "?")
    peak=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$build/logs/$target.log" | tail -1 | grep -o '[0-9]*$' || echo "?")
    printf '%-12s %10s executions in %5s s, peak RSS %5s MB: %s\n' "$target" "$executions" "$elapsed" "$peak" "$result" \
        | tee -a "$build/logs/summary.txt"
    [ "$result" = ok ]
}

status=0
running=0
for target in "${targets[@]}"; do
    run "$target" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || status=1   # whichever finishes first frees its place
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || status=1
    running=$((running - 1))
done
exit $status
