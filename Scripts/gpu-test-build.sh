#!/usr/bin/env bash
# Builds the test binary for a GPU machine without Swift and packs it, with everything it loads,
# into .build/gpu-tests/descent-tests.tar.xz; Scripts/gpu-test-session.sh runs it there.
#
#   Scripts/gpu-test-build.sh
# then, with the device tool: command `Scripts/gpu-test-session.sh`, carry [".build/gpu-tests"].
#
# Not --static-swift-stdlib, unlike Scripts/gpu-build.sh: the toolchain has swift-testing and
# XCTest only as shared libraries, with no module for a static build ("no such module
# 'Testing'"), and a static runtime beside a shared libTesting.so would be two Swift runtimes in
# one process. So the binary is linked against the shared runtime with no run path into the
# toolchain (-no-toolchain-stdlib-rpath; SwiftPM's $ORIGIN stays), and the toolchain's libraries
# that it loads are packed beside it, with the resource bundle of the fixtures. -enable-testing:
# some tests `@testable import` a module, which a release build allows only with it.
#
# It builds in .build/release: afterwards the release executables there have no run path into
# the toolchain either and do not start here (libswiftCore.so not found) until rebuilt with a
# plain `swift build -c release --product …`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests -c release -Xswiftc -enable-testing -Xswiftc -no-toolchain-stdlib-rpath
binary=.build/release/DescentPackageTests.xctest
# The folder of the toolchain's shared Swift libraries (libswiftCore.so, libTesting.so, …).
runtime="$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")/lib/swift/linux"

stage="$(mktemp -d /tmp/descent-gpu-tests.XXXXXX)"
trap 'rm -rf "$stage"' EXIT
strip -o "$stage/DescentPackageTests.xctest" "$binary"
# Every library the loader finds in the toolchain, directly or through another one; the system's
# (libc, libstdc++, libm) are on every Linux machine.
LD_LIBRARY_PATH="$runtime" ldd "$binary" | awk -v folder="$runtime/" 'index($3, folder) == 1 { print $3 }' \
    | while read -r library; do cp "$library" "$stage/"; done
# A stand-in for libcurl.so.4, which Foundation's networking (DescentData's downloads) needs to
# load and a GPU machine may lack; no test downloads anything. Each function stops the program.
# Scripts/gpu-test-session.sh puts it in reach only where the machine has no libcurl.so.4.
work="$(mktemp -d /tmp/descent-no-curl.XXXXXX)"
nm -D --undefined-only "$runtime/libFoundationNetworking.so" | awk '$2 ~ /^curl_.*@/ { print $2 }' | tr @ ' ' > "$work/symbols"
cat > "$work/curl.c" << 'C'
#include <stdio.h>
#include <stdlib.h>
#define STUB(name) void name(void) { fputs("libcurl.so.4 is missing on this machine\n", stderr); abort(); }
C
awk '{ print "STUB(" $1 ")" }' "$work/symbols" >> "$work/curl.c"
# The functions under libcurl's symbol version (CURL_OPENSSL_4), which the loader checks.
awk '{ version = $2; names = names " " $1 ";" } END { print version " { global:" names " };" }' "$work/symbols" \
    > "$work/curl.map"
mkdir "$stage/no-curl"
clang -shared -fPIC -O1 -Wl,-soname,libcurl.so.4 -Wl,--version-script="$work/curl.map" \
    -o "$stage/no-curl/libcurl.so.4" "$work/curl.c"
rm -r "$work"
# Bundle.module looks for a test target's resources beside the executable. The fixtures of the
# layer, cost-function and optimizer tests, and DescentData's built-in digits.
cp -R .build/release/Descent_DescentNNTests.resources .build/release/Descent_DescentData.resources "$stage/"
{ git describe --always --dirty --abbrev=40 2> /dev/null || echo "not a git checkout"; } > "$stage/commit.txt"

mkdir -p .build/gpu-tests
rm -f .build/gpu-tests/descent-tests.tar.gz
tar -cf - -C "$stage" . | xz -9 -T2 > .build/gpu-tests/descent-tests.tar.xz
ls -la .build/gpu-tests

# It runs here too, from a folder of its own, with nothing of the toolchain in reach: the
# loader must find every library in the archive, and a device that is not here must fail.
check="$stage/check"
mkdir "$check"
xz -dc .build/gpu-tests/descent-tests.tar.xz | tar -xf - -C "$check"
if LD_LIBRARY_PATH="$check:$check/no-curl" ldd "$check/DescentPackageTests.xctest" | grep -E "not found|$runtime"; then
    echo "the packed test binary still needs the libraries above from outside the archive" >&2
    exit 1
fi
# With the stand-in for libcurl in front of the system's, as on a machine without it.
(cd /tmp && env -i PATH=/usr/bin:/bin LD_LIBRARY_PATH="$check:$check/no-curl" DESCENT_TEST_DEVICES=reference \
    "$check/DescentPackageTests.xctest" --testing-library swift-testing --filter TestDevicesTests 2>&1 | tail -1)
