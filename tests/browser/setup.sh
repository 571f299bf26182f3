#!/bin/sh
# setup.sh — installs the browser tests' npm modules (playwright-core, the WCS Web SDK)
# into the build folder, once. Exit 77 (skip) when npm cannot.
set -u
dir="$(dirname "$CB_BROWSER_MODULES")"
mkdir -p "$dir"
if [ -d "$CB_BROWSER_MODULES/playwright-core" ] && [ -d "$CB_BROWSER_MODULES/@flashphoner/websdk" ]; then
  exit 0
fi
cp "$CB_BROWSER_PACKAGE" "$dir/package.json"
cd "$dir" || exit 1
if ! npm install --no-audit --no-fund --loglevel=error; then
  echo "setup.sh: npm install failed; browser tests will be skipped" >&2
  exit 77
fi
