#!/bin/bash
# `npm test`: installs what the tests need, then runs every test with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-runtime.sh
bash scripts/ensure-node-deps.sh
bash scripts/install-system-packages.sh system-packages.txt test-packages.txt
bash scripts/build-web.sh
bash scripts/build-js.sh
npx --no-install tsc --noEmit
npx --no-install biome check .
# Two files at a time: most tests wait on servers, browsers and timers, not on the CPU. The slow ones (real image
# builds and boots, marked by their first line) start first, so the quick ones fill the other lane meanwhile
# instead of leaving one long build alone at the end.
mapfile -t all < <(find test -name '*.test.ts' | sort)
mapfile -t slow < <(grep -l -m1 '^// Slow' "${all[@]}")
mapfile -t files < <(printf '%s\n' "${slow[@]}" "${all[@]}" | awk '!seen[$0]++')
# The RabbitMQ and PostgreSQL tests run against throwaway servers (IMG_TEST_AMQP_URL, IMG_TEST_PG_URL), stopped
# on every way out. Servers the caller already named are used as they are.
if [ -z "${IMG_TEST_AMQP_URL:-}" ] || [ -z "${IMG_TEST_PG_URL:-}" ]; then
  source scripts/ci-services.sh
  trap services_stop EXIT
  services_start
fi
# The spec report is for people; its summary gives the plain closing line that CI reads in any language.
# A test file that hangs must not hang the run: each file gets 20 minutes (the longest, the builder's image tests,
# takes about 8 with a warm package cache), after which its tests are cancelled, which counts as failed; and a file whose tests are over
# exits even if something it started lingers. (That forced exit cuts short reporters writing to a file, so the
# summary is read from the copy of standard output, which is written synchronously. Each file's own report to the
# runner is written blocking too, by test/blocking-report-pipe.mjs, or that exit could cut it short.)
report=$(mktemp)
status=0
node --import tsx --import "$PWD/test/blocking-report-pipe.mjs" --test --test-concurrency="${IMG_TEST_CONCURRENCY:-2}" --test-force-exit --test-timeout=1200000 --test-reporter=spec "${files[@]}" |
  tee "$report" || status=$?
count() { sed -n "s/^ℹ $1 \\([0-9]*\\)$/\\1/p" "$report" | tail -1; }
passed=$(count pass) failed=$(count fail) cancelled=$(count cancelled) skipped=$(count skipped)
rm -f "$report"
echo "${passed:-0} passed, $(( ${failed:-0} + ${cancelled:-0} )) failed, ${skipped:-0} skipped"
exit "$status"
