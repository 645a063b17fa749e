#!/bin/bash
# `npm start`: installs what is missing, then serves IMG on its embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-runtime.sh
bash scripts/ensure-node-deps.sh
bash scripts/install-system-packages.sh
bash scripts/build-web.sh
bash scripts/build-js.sh
exec node dist/cli/main.js serve "$@"
