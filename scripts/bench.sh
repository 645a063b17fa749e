#!/bin/bash
# `npm run bench`: every benchmark under bench/, each printing ratios against a baseline of the same run, then
# those ratios again together.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-runtime.sh
bash scripts/ensure-node-deps.sh
bash scripts/build-js.sh
# The queue-page bench opens the built pages in Chromium.
bash scripts/build-web.sh
# The dispatch benchmark sets RabbitMQ and PostgreSQL against the embedded queue: throwaway servers, as the tests
# have (as root; otherwise it measures the embedded queue only, unless the caller names servers).
if [ -z "${IMG_TEST_AMQP_URL:-}" ] && [ "$(id -u)" -eq 0 ]; then
  source scripts/ci-services.sh
  trap services_stop EXIT
  services_start
fi
report=$(mktemp)
for b in bench/*.bench.ts; do
  echo "== $b"
  node --import tsx "$b" | tee -a "$report"
done
echo "== every ratio"
grep ratio "$report" || true
rm -f "$report"
