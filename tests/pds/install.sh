#!/usr/bin/env bash
# Idempotent installer for the local test PDS (tests/pds). CI calls it.
#  1. `npm ci` when node_modules is missing or package-lock.json changed since
#     the last successful install (a stamp in node_modules records its hash);
#  2. `npm rebuild better-sqlite3` when its native module is missing or does
#     not load (npm here runs no install scripts, so this compiles it: ~1 min).
# Needs: node >= 18.7 with npm, python3, make and a C++ compiler (node-gyp),
# and the npm registry. Node's headers are taken from the local Node install
# (/usr/include/node) so that node-gyp downloads nothing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
T0=$(date +%s)
say() { echo "[tests/pds/install] $*"; }

command -v node >/dev/null || { say "node not found"; exit 1; }
command -v npm >/dev/null || { say "npm not found"; exit 1; }
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
if ((NODE_MAJOR < 18)); then
  say "node $(node --version) is too old: @atproto/pds 0.4.x needs >= 18.7"
  exit 1
fi

NPM_FLAGS=(--no-audit --no-fund)

# node-gyp must not fetch Node's headers from the internet: point it at the
# local ones unless npm is already configured with a nodedir. (node-gyp reads
# npm_config_nodedir from the environment; npm 11 warns that "nodedir" is an
# unknown config but still passes it on.)
if [[ -z "${npm_config_nodedir:-}" ]] &&
  [[ -z "$(npm config get nodedir 2>/dev/null | grep -v '^undefined$' || true)" ]]; then
  for d in "$(dirname "$(dirname "$(command -v node)")")" /usr /usr/local; do
    if [[ -f "$d/include/node/node.h" && -f "$d/include/node/common.gypi" ]]; then
      export npm_config_nodedir="$d"
      break
    fi
  done
fi

STAMP=node_modules/.socialdesk-install-stamp
WANT="$(sha256sum package-lock.json | cut -d' ' -f1)"
HAVE="$(cat "$STAMP" 2>/dev/null || true)"

if [[ -d node_modules/@atproto/pds && -d node_modules/@did-plc/server && "$WANT" == "$HAVE" ]]; then
  say "node_modules up to date with package-lock.json"
else
  say "npm ci (node_modules missing or package-lock.json changed)"
  T1=$(date +%s)
  # --ignore-scripts: whether npm runs install scripts differs between setups;
  # the one native module is built explicitly below, the same way everywhere.
  npm ci --ignore-scripts "${NPM_FLAGS[@]}"
  echo "$WANT" >"$STAMP"
  say "npm ci took $(($(date +%s) - T1)) s"
fi

sqlite_loads() {
  node -e 'const D = require("better-sqlite3"); new D(":memory:").prepare("select 1").get()' \
    >/dev/null 2>&1
}

if sqlite_loads; then
  say "better-sqlite3 native module present"
else
  for tool in python3 make g++; do
    command -v "$tool" >/dev/null || say "warning: $tool not found; node-gyp will likely fail"
  done
  say "npm rebuild better-sqlite3 (compiling, about a minute)"
  T1=$(date +%s)
  BUILD_LOG="node_modules/.socialdesk-rebuild.log"
  npm rebuild better-sqlite3 --foreground-scripts "${NPM_FLAGS[@]}" >"$BUILD_LOG" 2>&1 || true
  if ! sqlite_loads; then
    say "better-sqlite3 does not load after the rebuild; end of $BUILD_LOG:"
    tail -40 "$BUILD_LOG"
    node -e 'require("better-sqlite3")' || true
    exit 1
  fi
  say "rebuild took $(($(date +%s) - T1)) s"
fi

say "done in $(($(date +%s) - T0)) s; node_modules is $(du -sh node_modules | cut -f1)"
