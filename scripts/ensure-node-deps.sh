#!/bin/bash
# Installs the npm dependencies when node_modules is missing or older than the lockfile,
# so that `npm start` and `npm test` work from a fresh clone with nothing else run first.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.imger-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "imger: installing npm dependencies" >&2
  # Not `npm ci`: the registry reachable here lacks Biome's binaries for other platforms, so the lockfile cannot
  # list them and `npm ci` refuses it; `npm install --no-save` installs exactly the locked tree and writes nothing.
  npm install --no-save --no-audit --no-fund >&2
  touch "$stamp"
fi
