#!/bin/bash
# `npm start`: installs what is missing, then serves IMG on its embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-deps.sh
bash scripts/install-system-packages.sh
bash scripts/build-web.sh
exec node --import tsx src/cli/main.ts serve "$@"
