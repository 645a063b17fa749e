#!/bin/bash
# Compares `imger ks lint --json` with pykickstart's verdicts, outside `npm test` (it needs pykickstart's code,
# which IMG does not ship). Usage:
#
#   bash scripts/ks-conformance.sh [--all-versions] [--extensions] [--all] [FOLDER]
#
# Without FOLDER the cases are the kickstarts pykickstart's own tests (tests/commands and the section tests) feed
# its parser for the current syntax (DEVEL), extracted by running those tests; --all-versions takes the inputs of
# every version's tests, still judged by DEVEL. With FOLDER, its *.ks files are the cases. IMG runs with --strict
# (pykickstart's syntax only) unless --extensions is given; --all also lists the differences IMG makes on purpose.
# The default run fails below 99 % agreement or on any difference not listed in ks-conformance/deliberate.ts.
#
# pykickstart: PYKICKSTART_DIR names a checkout (a work tree of github.com/pykickstart/pykickstart; pure Python,
# it runs on the system python3 with nothing to install). Without it the script clones one into
# .cache/ks-conformance/pykickstart, or says how to get one when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=.cache/ks-conformance
all_versions=()
strict=(--strict)
list_all=()
folder=
while [ $# -gt 0 ]; do
  case "$1" in
    --all-versions) all_versions=(--all-versions) ;;
    --extensions) strict=() ;;
    --all) list_all=(--all) ;;
    -*) echo "ks-conformance: unknown option $1" >&2; exit 2 ;;
    *) folder=$1 ;;
  esac
  shift
done

pykickstart=${PYKICKSTART_DIR:-$cache/pykickstart}
if [ ! -f "$pykickstart/pykickstart/parser.py" ]; then
  if [ -n "${PYKICKSTART_DIR:-}" ] ||
    ! git clone --quiet --depth 1 https://github.com/pykickstart/pykickstart "$pykickstart" 2>/dev/null; then
    cat >&2 <<EOF
ks-conformance: no pykickstart at $pykickstart
Get a checkout and name it, for example:
  git clone --depth 1 https://github.com/pykickstart/pykickstart /tmp/pykickstart
  PYKICKSTART_DIR=/tmp/pykickstart bash scripts/ks-conformance.sh
EOF
    exit 3
  fi
fi
# The extracted cases are kept per pykickstart source, so another checkout extracts its own.
version=$(find "$pykickstart/pykickstart" "$pykickstart/tests" -name '*.py' -print0 | sort -z |
  xargs -0 cat | sha256sum | cut -c1-12)

min=()
if [ -z "$folder" ]; then
  folder=$cache/cases-$version${all_versions:+-all-versions}
  if [ ! -f "$folder/origins.json" ]; then
    echo "extracting the cases from pykickstart's tests (a few minutes)" >&2
    rm -rf "$folder"
    python3 scripts/ks-conformance/extract.py "$pykickstart" "$folder.tmp" "${all_versions[@]}"
    mv "$folder.tmp" "$folder"
  fi
  [ ${#all_versions[@]} -eq 0 ] && min=(--min 99)
fi

verdicts=$(mktemp)
trap 'rm -f "$verdicts"' EXIT
python3 scripts/ks-conformance/judge.py "$pykickstart" "$folder" >"$verdicts"
echo "pykickstart $(python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import pykickstart.version as v; print(v.versionToLongString(v.DEVEL))' "$pykickstart") ($pykickstart, sources $version), $(python3 --version), cases in $folder" >&2
node --import tsx scripts/ks-conformance/compare.ts "$folder" "$verdicts" "${strict[@]}" "${min[@]}" "${list_all[@]}"
