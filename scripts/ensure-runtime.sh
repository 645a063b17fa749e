#!/bin/bash
# Sourced by the npm scripts: makes `node` a maintained LTS release (22 or 24). The machine's own node is used when
# it is one; otherwise (Debian 12 ships 20, which reached its end of life in April 2026) the release named in
# .node-version is installed from the npm registry's node-linux-* package into .runtime/ inside the checkout, and put
# first on PATH. Nothing outside the checkout changes. npm itself then runs on that node too, so native modules
# (better-sqlite3) are compiled for the node that loads them.
imger_runtime() {
  local root want major arch dir
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  want=$(tr -d '[:space:]' < "$root/.node-version")
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" = 22 ] || [ "$major" = 24 ]; then
    return 0
  fi
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "imger: no Node.js $want package for $(uname -m); install Node.js 22 or 24" >&2; return 1 ;;
  esac
  dir=$root/.runtime/node-v$want
  if [ ! -x "$dir/node_modules/node-linux-$arch/bin/node" ]; then
    echo "imger: installing Node.js $want into .runtime/ (this machine's node is $(node --version 2>/dev/null || echo missing))" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-audit --no-fund --no-package-lock "node-linux-$arch@$want" >&2
  fi
  export PATH="$dir/node_modules/node-linux-$arch/bin:$PATH"
  # node-gyp builds against these headers instead of the machine's (npm's nodedir may name the system's).
  export npm_config_nodedir="$dir/node_modules/node-linux-$arch"
}
imger_runtime
