#!/usr/bin/env bash
# Builds the DocC documentation of Descent's library modules and its tutorials, with every
# DocC warning (a broken symbol link, an undocumented parameter) an error.
#
#   Scripts/build-docs.sh                      # → .build/plugins/Swift-DocC/outputs/Descent.doccarchive
#   Scripts/build-docs.sh --output-path site   # a folder any static web server can serve
#
# One archive for all five modules (the plugin's combined documentation), so that the landing
# page, the tutorials and every module's symbols are one site. Other arguments go to the
# plugin's generate-documentation (`swift package generate-documentation --help`).
# --disable-sandbox: the plugin runs `docc`, which the macOS sandbox would stop from writing
# outside the package's build folder.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

targets=(Descent DescentCore DescentNN DescentData DescentTrain)
arguments=()
for target in "${targets[@]}"; do arguments+=(--target "$target"); done

swift package --disable-sandbox generate-documentation "${arguments[@]}" \
    --enable-experimental-combined-documentation --warnings-as-errors "$@"
