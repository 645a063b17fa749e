#!/bin/bash
# Installs the npm dependencies when node_modules is missing or older than the lockfile, and rebuilds the native
# ones when the node that runs IMG changed (a different ABI cannot load them), so that `npm start` and `npm test`
# work from a fresh clone with nothing else run first. Expects ensure-runtime.sh to have been sourced.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.imger-installed
abi="node $(node -p 'process.versions.modules')"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "imger: installing npm dependencies" >&2
  # Not `npm ci`: the registry reachable here lacks Biome's binaries for other platforms, so the lockfile cannot
  # list them and `npm ci` refuses it; `npm install --no-save` installs exactly the locked tree and writes nothing.
  npm install --no-save --no-audit --no-fund >&2
  echo "$abi" > "$stamp"
elif [ "$(cat "$stamp")" != "$abi" ]; then
  echo "imger: rebuilding native npm modules for $(node --version)" >&2
  npm rebuild >&2
  echo "$abi" > "$stamp"
fi
