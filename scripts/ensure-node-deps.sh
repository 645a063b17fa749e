#!/bin/bash
# Installs the npm dependencies when node_modules is missing or older than the lockfile, and rebuilds the native
# ones when the node that runs IMG changed (a different ABI cannot load them), so that `npm start` and `npm test`
# work from a fresh clone with nothing else run first. Expects ensure-runtime.sh to have been sourced.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.imger-installed
abi="node $(node -p 'process.versions.modules')"
# better-sqlite3 has no prebuilt binary reachable here, so it is compiled (about a minute of CPU); the result is
# kept per version, node ABI and machine in the cache folder that outlives a checkout, and a fresh clone copies it.
native_cache=${IMGER_TEST_CACHE:-/var/cache/imger}/node-native

# Runs the install scripts that were skipped, but better-sqlite3's from the cache when it holds a build that loads.
install_scripts() {
  npm rebuild esbuild >&2
  local version built cached
  version=$(node -p 'require("./node_modules/better-sqlite3/package.json").version')
  built=node_modules/better-sqlite3/build/Release/better_sqlite3.node
  cached="$native_cache/better-sqlite3-$version-abi$(node -p 'process.versions.modules')-$(uname -m).node"
  if [ -f "$cached" ]; then
    mkdir -p "$(dirname "$built")"
    cp "$cached" "$built"
    node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null && return 0
    echo "imger: the cached better-sqlite3 build does not load; compiling it" >&2
  fi
  npm rebuild better-sqlite3 >&2
  mkdir -p "$native_cache"
  cp "$built" "$cached.$$"
  mv "$cached.$$" "$cached"
}

if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "imger: installing npm dependencies" >&2
  # Not `npm ci`: the registry reachable here lacks Biome's binaries for other platforms, so the lockfile cannot
  # list them and `npm ci` refuses it; `npm install --no-save` installs exactly the locked tree and writes nothing.
  npm install --no-save --no-audit --no-fund --ignore-scripts >&2
  install_scripts
  echo "$abi" > "$stamp"
elif [ "$(cat "$stamp")" != "$abi" ]; then
  echo "imger: rebuilding native npm modules for $(node --version)" >&2
  install_scripts
  echo "$abi" > "$stamp"
fi
