#!/usr/bin/env bash
# callgrind.sh: instructions executed by exactly one W2 training step and one W4 batch-1
# inference call of a descent-bench binary, counted by valgrind's callgrind. Unlike timings,
# these counts barely move from run to run or with the load on the machine, so they show whether
# a refactor changed the work done per step ("speed unchanged") where timings are too noisy.
#
# Usage:
#   Benchmarks/callgrind.sh [--out DIR] [--threads N] [--annotate] BINARY [WORKLOAD...]
#
#   BINARY       a release descent-bench (swift build -c release --product descent-bench, then
#                .build/release/descent-bench) with the workloads w2-step and w4-call
#   WORKLOAD     w2-step, w4-call, or both (the default); or w3-step, one W3 (convolutional)
#                training step on a batch of 8 (3 counted calls); or w4-batch, one W4 batch-1000
#                inference call (3 counted calls); or w2-overhead, W2's step with layers 4-4-2,
#                too small for the products to matter: the step's cost besides its arithmetic
#   --out DIR    keep the callgrind.out.WORKLOAD files and valgrind logs there (default: a new
#                folder under /tmp, printed at the end); read them with
#                callgrind_annotate DIR/callgrind.out.w2-step
#   --annotate   also print each profile's top functions (callgrind_annotate)
#   --threads N  descent-bench's --threads (default 1). Keep 1: callgrind switches collection on
#                only in the thread that enters the measured function, so work done by the
#                worker pool's other threads would not be counted.
#
# Environment: VALGRIND (default valgrind), NICE (default "nice -n 10"; NICE= runs at normal
# priority). The script sets SWIFT_DETERMINISTIC_HASHING=1: Swift seeds its hash functions at
# random per process, which moves the W2 count (the gradients are a dictionary) by about 0.05 %
# from run to run; with the fixed seed repeated runs give the same counts.
#
# Per workload it runs, under callgrind with collection off except inside one function,
#   descent-bench --workloads w2-step --threads 1 --json
# whose w2-step builds the W2 model (784-128-10, SGD lr 0.1) on synthetic data [32, 784], runs
# 20 steps, then calls the @inline(never) function callgrindW2Step (one step: valueWithGradient
# + optimizer.update) 10 times; w4-call likewise calls callgrindW4Call (the W1 model 784-512-512-10
# in inference mode on one random [1, 784] example) 10 times after 20 uncounted calls.
#   valgrind --tool=callgrind --toggle-collect='*callgrindW2Step*' ...
# counts the instructions (Ir) inside those calls, callees included; the script prints the total
# and the total divided by the number of calls the binary reports (w2_step_calls, w4_call_calls).
# Swift's mangled name ($s12DescentBench15callgrindW2Step...) contains the plain name, so the glob
# matches it; the script checks the symbol is in the binary and that something was counted.
#
# Only the instructions are limited to the counted calls. The call counts in a profile ("(30x)" in
# callgrind_annotate --tree=caller) also count the calls made while collection was off: a w2-step
# or w2-overhead profile counts the calls of all 30 steps (20 warm-up steps and 10 counted ones),
# so divide them by 30, not by 10. For allocations per step, valgrind --tool=dhat on the same
# stripped copy is simpler (W2_STEP_CALLS=500 gives 520 steps; see BENCHMARKS.md, session 14).
#
# valgrind 3.19 cannot read the DWARF 5 debug information Swift 6 writes ("Possibly corrupted
# debuginfo file ... Giving up"), so the script profiles a copy without debug information
# (objcopy --strip-debug; the symbol table, which names the functions, stays).
#
# Example output:
#   workload  function         calls  instructions  per call
#   w2-step   callgrindW2Step  10     ...           ...
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

out=""
threads=1
annotate=0
binary=""
workloads=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        --threads) threads="${2:?--threads needs a number}"; shift 2 ;;
        --annotate) annotate=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "callgrind.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
        *) if [ -z "$binary" ]; then binary="$1"; else workloads+=("$1"); fi; shift ;;
    esac
done
[ -n "$binary" ] || { usage >&2; exit 2; }
[ -x "$binary" ] || { echo "callgrind.sh: $binary is not an executable file" >&2; exit 2; }
[ ${#workloads[@]} -gt 0 ] || workloads=(w2-step w4-call)

VALGRIND="${VALGRIND:-valgrind}"
NICE="${NICE-nice -n 10}"
command -v "$VALGRIND" >/dev/null || { echo "callgrind.sh: $VALGRIND not found (apt-get install -y valgrind)" >&2; exit 2; }
command -v objcopy >/dev/null || { echo "callgrind.sh: objcopy not found (binutils)" >&2; exit 2; }
[ "$threads" = 1 ] || echo "callgrind.sh: warning: --threads $threads: work on the other threads is not counted" >&2

if [ -z "$out" ]; then out="$(mktemp -d /tmp/callgrind.XXXXXX)"; else mkdir -p "$out"; fi
out="$(cd "$out" && pwd)"  # absolute: valgrind runs in /
# The copy without debug information always has a path of the same length, and the program runs
# with the same small environment and working folder: argv[0] and the environment are copied
# into the heap and onto the stack, and their sizes alone moved W4's count by 0.2 % (malloc).
bindir="$(mktemp -d /tmp/cgbin.XXXXXX)"
trap 'rm -rf "$bindir"' EXIT
profiled="$bindir/descent-bench"
objcopy --strip-debug "$binary" "$profiled"
valgrind_path="$(command -v "$VALGRIND")"

results=()
for workload in "${workloads[@]}"; do
    case "$workload" in
        w2-step|w2-overhead) function=callgrindW2Step; calls_key=w2_step_calls ;;
        w4-call) function=callgrindW4Call; calls_key=w4_call_calls ;;
        w3-step) function=callgrindW3Step; calls_key=w3_step_calls ;;
        w4-batch) function=callgrindW4BatchCall; calls_key=w4_batch_calls ;;
        *) echo "callgrind.sh: unknown workload $workload (w2-step, w2-overhead, w4-call, w3-step or w4-batch)" >&2; exit 2 ;;
    esac
    # (grep reads all of nm's output: grep -q would stop early, and nm's SIGPIPE fails the pipe)
    if ! nm "$profiled" | grep "$function" >/dev/null; then
        echo "callgrind.sh: $binary has no function $function; add the w2-step/w4-call workloads to its Benchmarks/DescentBench/main.swift" >&2
        exit 1
    fi
    data="$out/callgrind.out.$workload"
    log="$out/valgrind.$workload.log"
    echo "callgrind.sh: $workload under callgrind (10 to 60 seconds)..." >&2
    # shellcheck disable=SC2086  # NICE is a command with arguments, or empty
    if ! (cd / && $NICE env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C SWIFT_DETERMINISTIC_HASHING=1 \
            "$valgrind_path" --tool=callgrind --callgrind-out-file="$data" --log-file="$log" \
            --toggle-collect="*${function}*" \
            "$profiled" --workloads "$workload" --threads "$threads" --json) > "$out/stdout.$workload"; then
        echo "callgrind.sh: $workload failed; the end of $log:" >&2
        tail -20 "$log" >&2
        exit 1
    fi
    calls="$(grep -o "\"$calls_key\":[0-9.]*" "$out/stdout.$workload" | cut -d: -f2 | cut -d. -f1 || true)"
    if [ -z "$calls" ] || [ "$calls" -le 0 ]; then
        echo "callgrind.sh: $binary did not report $calls_key; its output was:" >&2
        cat "$out/stdout.$workload" >&2
        exit 1
    fi
    # "totals:" (or "summary:") is the sum of the collected events; Ir is the only event here.
    total="$(awk '/^totals:/ { print $2; found = 1; exit } /^summary:/ { s = $2 } END { if (!found && s != "") print s }' "$data")"
    if [ -z "$total" ] || [ "$total" -eq 0 ] || ! grep -q "$function" "$data"; then
        echo "callgrind.sh: nothing counted for $workload: --toggle-collect='*${function}*' matched no call (see $log)" >&2
        exit 1
    fi
    per_call="$(awk -v t="$total" -v c="$calls" 'BEGIN { printf "%.0f", t / c }')"
    results+=("$workload $function $calls $total $per_call")
    if [ "$annotate" = 1 ]; then
        echo "== $workload: top functions ==" >&2
        callgrind_annotate --inclusive=no "$data" 2>/dev/null | sed -n '/file:function/,$p' | head -25 | cut -c1-160 >&2 || true
    fi
done

printf '%-9s %-16s %6s %14s %12s\n' workload function calls instructions "per call"
for line in "${results[@]}"; do
    # shellcheck disable=SC2086
    printf '%-9s %-16s %6s %14s %12s\n' $line
done
echo "(binary $binary, --threads $threads; profiles in $out)"
