#!/bin/bash
# Installs the missing Debian packages of the lists given (default: system-packages.txt, what IMG needs to run;
# test-packages.txt adds what only the tests need). A machine that has them all pays one dpkg-query;
# `apt-get update` runs only when apt does not know a missing package yet.
set -euo pipefail
cd "$(dirname "$0")"
lists=("${@:-system-packages.txt}")
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "${lists[@]}" | grep -v '^$')

declare -A installed=()
while read -r pkg status; do
  [ "$status" = installed ] && installed[$pkg]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null || true)
missing=()
for pkg in "${wanted[@]}"; do
  [ -n "${installed[$pkg]:-}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "imger: missing Debian packages (run this script as root to install them): ${missing[*]}" >&2
  exit 1
fi

has_candidate() { apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'; }
for pkg in "${missing[@]}"; do
  if ! has_candidate "$pkg"; then
    echo "imger: apt-get update (apt does not know $pkg yet)" >&2
    apt-get update -qq >&2
    break
  fi
done

# Answers to the packages' install-time questions (slapd would otherwise configure and start a system server).
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' debconf-selections.txt | debconf-set-selections
echo "imger: installing Debian packages: ${missing[*]}" >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
