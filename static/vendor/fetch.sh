#!/usr/bin/env bash
# Re-vendors the front-end libraries from their npm packages at the pinned versions.
# The files are committed, so running the console never needs npm or a CDN.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() {  # package version file-in-package destination
  (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null && mkdir -p "$1" && tar -xzf "$(ls -t ./*.tgz | head -1)" -C "$1" && rm ./*.tgz)
  mkdir -p "$(dirname "$4")"
  cp "$tmp/$1/package/$3" "$4"
}
fetch @picocss/pico 2.1.1 css/pico.min.css pico/pico.min.css
fetch uplot 1.6.32 dist/uPlot.iife.min.js uplot/uPlot.iife.min.js
fetch uplot 1.6.32 dist/uPlot.min.css uplot/uPlot.min.css
cat > VERSIONS <<'TXT'
@picocss/pico 2.1.1
uplot 1.6.32
TXT
