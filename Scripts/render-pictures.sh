#!/usr/bin/env bash
# Makes one picture of each kind Descent draws and renders every SVG in docs/ to PNG with
# headless Chromium, so that the pictures in the README can be remade and looked at.
#
#   Scripts/render-pictures.sh            # make docs/*.svg, then render docs/*.png
#   Scripts/render-pictures.sh --render   # only render the SVGs already in docs/
#
# The pictures:
#   docs/history.svg            cost and accuracy per epoch        (descent train moons --output …)
#   docs/decision-boundary.svg  a classifier's decision regions    (the same run)
#   docs/landscape.svg          descent on a cost surface           (descent landscape Examples/line.csv)
#   docs/computational-graph.svg  a cost's computational graph (descent explain --graph FILE.svg),
#                               kept as committed (Graphviz, when installed, would lay it out
#                               anew): rendered like the others, and its absence is no error.
#
# Needs Chromium (Debian/Ubuntu: apt-get install -y chromium). DESCENT=path/to/descent uses that
# binary instead of building one; CHROMIUM=path/to/chrome picks the browser.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
docs="$root/docs"
mkdir -p "$docs"

if [[ "${1:-}" != "--render" ]]; then
    if [[ -z "${DESCENT:-}" ]]; then
        (cd "$root" && swift build --product descent >&2)
        DESCENT="$(cd "$root" && swift build --show-bin-path)/descent"
    fi
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    # The moons: two features, two classes, so the run saves its decision regions too.
    "$DESCENT" train moons --output "$scratch/moons" --quiet
    cp "$scratch/moons/history.svg" "$docs/history.svg"
    cp "$scratch/moons/decision-boundary.svg" "$docs/decision-boundary.svg"
    # A start up the valley's side shows every method's character: the noise of stochastic steps,
    # momentum's overshoot, Adam's first steps along the diagonal.
    "$DESCENT" landscape "$root/Examples/line.csv" --start -1,4 --output "$docs/landscape.svg"
fi

browser="${CHROMIUM:-}"
if [[ -z "$browser" ]]; then
    for candidate in chromium chromium-browser google-chrome; do
        if command -v "$candidate" >/dev/null; then browser="$candidate"; break; fi
    done
fi
if [[ -z "$browser" ]]; then
    echo "render-pictures: no Chromium found; install it (apt-get install -y chromium) or set CHROMIUM" >&2
    exit 1
fi

shopt -s nullglob
for svg in "$docs"/*.svg; do
    png="${svg%.svg}.png"
    # The window is the picture's own size, read from the root element's width and height.
    header="$(head -c 400 "$svg")"
    # Graphviz writes sizes in points (1 pt = 4/3 px); Descent in pixels.
    size() {
        sed -n "s/.*<svg[^>]* $1=\"\([0-9.]*\)\(pt\|px\)\{0,1\}\".*/\1 \2/p" <<<"$header" | head -1 |
            awk '{ v = ($2 == "pt") ? $1 * 4 / 3 : $1; if (v > 0) printf "%d", v + 0.999 }'
    }
    width="$(size width)"
    height="$(size height)"
    if [[ -z "$width" || -z "$height" ]]; then
        echo "render-pictures: $svg has no width and height in pixels; skipped" >&2
        continue
    fi
    # --no-sandbox: Chromium refuses to run as root with its sandbox (as in containers).
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
        --window-size="$width,$height" --screenshot="$png" "file://$svg" >/dev/null 2>&1
    if [[ ! -s "$png" ]]; then
        echo "render-pictures: Chromium made no PNG of $svg" >&2
        exit 1
    fi
    echo "$png (${width}×${height})"
done

# The DocC tutorials show three of the pictures; their copies in the catalog follow docs/
# (TutorialCodeTests checks that they are the same).
for picture in landscape decision-boundary computational-graph; do
    if [[ -f "$docs/$picture.png" ]]; then
        cp "$docs/$picture.png" "$root/Sources/Descent/Descent.docc/Resources/$picture.png"
    fi
done
