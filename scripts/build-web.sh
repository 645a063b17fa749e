#!/bin/bash
# Builds the web pages (src/web, with the API client in src/client, the contract in src/contract and parts of src/kickstart) into dist/web,
# unless that build is newer than every source file. A lock keeps two callers (test files run in parallel) from
# building over each other.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist
exec 9> dist/.web-build.lock
flock 9
built=dist/web/index.html
if [ -f "$built" ] && [ -z "$(find src/web src/client src/contract src/kickstart -newer "$built" -print -quit 2>/dev/null)" ]; then
  exit 0
fi
npx --no-install vite build --config src/web/vite.config.ts --logLevel warn
