#!/bin/sh
# Build the phone scanner library into core/web/assets/scanner/ (committed, so a fresh clone
# runs and tests without Node): scanner.js (one ES module), zxing_reader.wasm, LICENSES.txt,
# BUILD.txt. Needs Node >= 20 and npm; installs exactly what package-lock.json pins.
set -eu
cd "$(dirname "$0")"
OUT=../../core/web/assets/scanner
META=$(mktemp)
trap 'rm -f "$META"' EXIT
npm ci --no-audit --no-fund --loglevel=error
mkdir -p "$OUT"
npx --no-install esbuild src/index.js --bundle --format=esm --minify --target=es2020 \
  --legal-comments=none --metafile="$META" --log-level=warning --outfile="$OUT/scanner.js"
cp node_modules/zxing-wasm/dist/reader/zxing_reader.wasm "$OUT/zxing_reader.wasm"
node tools/build-info.mjs "$META" "$OUT"
