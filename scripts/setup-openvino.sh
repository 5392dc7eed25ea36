#!/usr/bin/env bash
# Makes `require('openvino-node')` work on machines where openvino-node's own postinstall (a runtime
# download from storage.openvinotoolkit.org) cannot run: offline machines, CI, Node 20 (npm skips
# the package there: it declares engines node >= 21). Recipe and facts: docs/openvino.md.
#
#   npm run setup:openvino                   # official addon if it loads, else build ours
#   npm run setup:openvino -- --force        # rebuild ours even if an addon already loads
#
# Options / environment:
#   --force                    rebuild and reinstall even when openvino-node already verifies
#   --no-venv                  skip the Python venv with `pip install openvino` (benchmark_app)
#   DARKNET_PRUNER_CACHE       cache directory (default ~/.cache/darknet-pruner)
#   PYTHON                     python interpreter with pip and venv (default python3)
#
# Idempotent: exits 0 at once when openvino-node loads and verifies (official or ours) and the venv
# has benchmark_app. Steps: openvino-node's JS + typings (npm pack, cached) into node_modules when
# npm left it out → the PyPI openvino wheel (pip download --no-deps, cached) → its runtime subset
# (libopenvino, CPU/GPU/NPU/AUTO/HETERO plugins, ONNX + IR frontends, TBB) and headers →
# native/openvino (our N-API addon, node-gyp) → node_modules/openvino-node/bin/ov_node_addon.node
# with the libraries beside it (RPATH $ORIGIN), where openvino-node's dist/addon.js loads it →
# verify (read an IR, infer sync + AsyncInferQueue, saveModelSync round trip) → venv with
# benchmark_app at $CACHE/openvino-venv-VERSION.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
FORCE=0
VENV=1
OV_VERSION=2026.4.0
OV_LIB_SUFFIX=2640
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    --no-venv) VENV=0 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "setup-openvino: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'setup-openvino: %s\n' "$*"; }
die() { printf 'setup-openvino: error: %s\n' "$*" >&2; exit 1; }
START=$(date +%s)

[ "$(uname -s)" = Linux ] || die "only Linux is supported by this script (elsewhere openvino-node's own download works)"
[ "$(uname -m)" = x86_64 ] || die "only x86_64 is supported (the wheel's runtime is x86_64 here)"
CACHE=${DARKNET_PRUNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/darknet-pruner}
PYTHON=${PYTHON:-python3}
PKG_DIR="$ROOT/node_modules/openvino-node"
VENV_DIR="$CACHE/openvino-venv-$OV_VERSION"

# Verification: loads openvino-node as the product does, reads a one-op IR, infers it synchronously
# and through an AsyncInferQueue of two requests, saves it with saveModelSync and reads it back.
verify() {
  node - <<'EOF'
const { mkdtempSync, writeFileSync, rmSync, existsSync } = require('fs');
const { join } = require('path');
const { tmpdir } = require('os');
const t0 = Date.now();
const { addon: ov } = require('openvino-node');
const loadMs = Date.now() - t0;
const dir = mkdtempSync(join(tmpdir(), 'ov-verify-'));
try {
  const port = (id, names) => `<port id="${id}" precision="FP32"${names ? ` names="${names}"` : ''}><dim>1</dim><dim>4</dim></port>`;
  const xml = `<?xml version="1.0"?>
<net name="verify" version="11"><layers>
<layer id="0" name="x" type="Parameter" version="opset1"><data shape="1,4" element_type="f32"/><output>${port(0, 'x')}</output></layer>
<layer id="1" name="relu" type="Relu" version="opset1"><input>${port(0)}</input><output>${port(1, 'y')}</output></layer>
<layer id="2" name="y/sink" type="Result" version="opset1"><input>${port(0)}</input></layer>
</layers><edges><edge from-layer="0" from-port="0" to-layer="1" to-port="0"/><edge from-layer="1" from-port="1" to-layer="2" to-port="0"/></edges></net>`;
  writeFileSync(join(dir, 'm.xml'), xml);
  writeFileSync(join(dir, 'm.bin'), Buffer.alloc(0));
  const core = new ov.Core();
  const devices = core.getAvailableDevices();
  if (!devices.includes('CPU')) throw new Error(`no CPU device (devices: ${devices.join(', ')})`);
  const model = core.readModelSync(join(dir, 'm.xml'));
  const cm = core.compileModelSync(model, 'CPU', { INFERENCE_PRECISION_HINT: 'f32' });
  const out = cm.createInferRequest().infer({ x: new ov.Tensor('f32', [1, 4], new Float32Array([-1, 2, -3, 4])) });
  const y = Array.from(out.y.data);
  if (y.join() !== '0,2,0,4') throw new Error(`Relu gave ${y}`);
  ov.saveModelSync(model, join(dir, 'saved.xml'), false);
  if (!existsSync(join(dir, 'saved.xml'))) throw new Error('saveModelSync wrote nothing');
  const again = core.readModelSync(join(dir, 'saved.xml'));
  const queue = new ov.AsyncInferQueue(core.compileModelSync(again, 'CPU', {}), 2);
  const got = [];
  queue.setCallback((err, req, data) => { if (err) throw err; got[data.i] = req.getOutputTensor(0).data[1]; });
  Promise.all([1, 2, 3, 4].map((i) => queue.startAsync({ x: new ov.Tensor('f32', [1, 4], new Float32Array([0, i, 0, 0])) }, { i })))
    .then(() => {
      queue.release();
      if (got.slice(1).join() !== '1,2,3,4') throw new Error(`AsyncInferQueue gave ${got}`);
      const which = ov.darknetPrunerBuild ? 'ours (native/openvino)' : 'official';
      console.log(`setup-openvino: verified: openvino-node loads (${loadMs} ms), OpenVINO ${ov.getOpenvinoVersion().buildNumber}, addon ${which}, devices ${devices.join(', ')}; infer, AsyncInferQueue and saveModelSync work`);
    })
    .catch((e) => { console.error(String(e && e.message || e)); process.exitCode = 1; })
    .finally(() => rmSync(dir, { recursive: true, force: true }));
} catch (e) { rmSync(dir, { recursive: true, force: true }); throw e; }
EOF
}

venv_ok() { [ -x "$VENV_DIR/bin/benchmark_app" ] && "$VENV_DIR/bin/python" -I -c 'import openvino' >/dev/null 2>&1; }

if [ "$FORCE" = 0 ] && [ -f "$PKG_DIR/bin/ov_node_addon.node" ] && { [ "$VENV" = 0 ] || venv_ok; }; then
  if verify 2>/dev/null; then say "openvino-node already works; nothing to do (use --force to rebuild)"; exit 0; fi
  say "openvino-node's addon exists but does not load or verify; rebuilding"
fi

command -v "$PYTHON" >/dev/null || die "$PYTHON not found: a Python with pip is needed to download the OpenVINO wheel (set PYTHON=...)"
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "$PYTHON has no pip (install python3-pip)"
mkdir -p "$CACHE/wheels" "$CACHE/npm"

# --- openvino-node's JS and typings ------------------------------------------------------------
if [ ! -f "$PKG_DIR/package.json" ]; then
  TGZ="$CACHE/npm/openvino-node-$OV_VERSION.tgz"
  if [ ! -f "$TGZ" ]; then
    say "fetching openvino-node@$OV_VERSION (JS + typings) with npm pack"
    (cd "$CACHE/npm" && npm pack --silent "openvino-node@$OV_VERSION" >/dev/null) || die "npm pack openvino-node@$OV_VERSION failed (no access to the npm registry?)"
  fi
  say "installing openvino-node@$OV_VERSION's JS into node_modules (npm skips it: engines node >= 21)"
  mkdir -p "$PKG_DIR"
  tar xzf "$TGZ" -C "$PKG_DIR" --strip-components=1 || die "cannot unpack $TGZ"
fi
PKG_VERSION=$(node -p "require('$PKG_DIR/package.json').version")
[ "$PKG_VERSION" = "$OV_VERSION" ] || say "warning: node_modules has openvino-node $PKG_VERSION; the runtime built here is OpenVINO $OV_VERSION"

# An addon that already verifies is kept (only the venv was missing): the official one when its
# download worked (another OS, or npm ran its postinstall), or ours from an earlier run.
if [ "$FORCE" = 0 ] && [ -f "$PKG_DIR/bin/ov_node_addon.node" ] && verify >/dev/null 2>&1; then
  if node -e "process.exit(require('openvino-node').addon.darknetPrunerBuild ? 0 : 1)" 2>/dev/null; then say "our addon already works; not rebuilding it"
  else say "the official openvino-node addon loads; not building ours"; fi
  SKIP_BUILD=1
else
  SKIP_BUILD=0
fi

# --- wheel -----------------------------------------------------------------------------------
find_wheel() { ls -1 "$CACHE/wheels/openvino-$OV_VERSION-"*.whl 2>/dev/null | head -n1; }
WHEEL=$(find_wheel || true)
if [ -z "$WHEEL" ]; then
  say "downloading openvino==$OV_VERSION (≈ 59 MB) into $CACHE/wheels"
  "$PYTHON" -m pip download --no-deps --only-binary=:all: --python-version 3.11 --platform manylinux_2_28_x86_64 \
    --disable-pip-version-check -q -d "$CACHE/wheels" "openvino==$OV_VERSION" \
    || die "pip download openvino==$OV_VERSION failed (no access to PyPI? put the wheel in $CACHE/wheels by hand)"
  WHEEL=$(find_wheel || true)
  [ -n "$WHEEL" ] || die "pip did not leave an openvino-$OV_VERSION wheel in $CACHE/wheels"
else
  say "using cached wheel $WHEEL"
fi

if [ "$SKIP_BUILD" = 0 ]; then
  command -v make >/dev/null && command -v g++ >/dev/null || die "make and g++ are needed to build the addon (apt-get install build-essential)"
  NODE_GYP="$ROOT/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$NODE_GYP" ] || die "node-gyp is not installed (a devDependency: run npm ci / npm install)"
  [ -f "$ROOT/node_modules/node-addon-api/napi.h" ] || die "node-addon-api is not installed (a devDependency: run npm ci / npm install)"
  NODEDIR_ARG=()
  NODE_PREFIX=$(dirname "$(dirname "$(node -p 'process.execPath')")")
  for d in "$NODE_PREFIX" /usr /usr/local; do
    if [ -f "$d/include/node/node_api.h" ] && [ -f "$d/include/node/common.gypi" ]; then NODEDIR_ARG=(--nodedir="$d"); break; fi
  done
  if [ ${#NODEDIR_ARG[@]} = 0 ] && [ -f "$ROOT/node_modules/node-api-headers/include/node_api.h" ]; then
    say "no local Node headers; using node-api-headers"
    NODEDIR_ARG=(--nodedir="$ROOT/node_modules/node-api-headers")
  fi

  EXTRACT="$CACHE/extract/$(basename "$WHEEL" .whl)"
  if [ ! -f "$EXTRACT/.complete" ]; then
    say "extracting the runtime subset and headers"
    rm -rf "$EXTRACT"; mkdir -p "$EXTRACT"
    "$PYTHON" - "$WHEEL" "$EXTRACT" "$OV_LIB_SUFFIX" <<'EOF'
import sys, zipfile
whl, dest, sfx = sys.argv[1:4]
libs = [f'libopenvino.so.{sfx}', f'libopenvino_c.so.{sfx}', f'libopenvino_onnx_frontend.so.{sfx}', f'libopenvino_ir_frontend.so.{sfx}',
        'libopenvino_intel_cpu_plugin.so', 'libopenvino_intel_gpu_plugin.so', 'libopenvino_intel_npu_plugin.so',
        'libopenvino_auto_plugin.so', 'libopenvino_auto_batch_plugin.so', 'libopenvino_hetero_plugin.so',
        'libtbb.so.12', 'libtbbbind_2_5.so.3', 'libtbbmalloc.so.2', 'libtbbmalloc_proxy.so.2', 'libhwloc.so.15']
with zipfile.ZipFile(whl) as z:
    names = set(z.namelist())
    missing = [l for l in libs[:5] if 'openvino/libs/' + l not in names]
    if missing: sys.exit(f'{whl} lacks {missing}')
    want = [n for n in names if n.startswith('openvino/include/')] + ['openvino/libs/' + l for l in libs if 'openvino/libs/' + l in names]
    z.extractall(dest, want)
EOF
    touch "$EXTRACT/.complete"
  fi
  OVDIR="$EXTRACT/openvino"
  [ -f "$OVDIR/include/openvino/openvino.hpp" ] || die "the wheel's include/ lacks openvino/openvino.hpp"

  say "building native/openvino with node-gyp (about a minute)"
  BUILD_LOG="$CACHE/node-gyp-openvino.log"
  (
    cd "$ROOT/native/openvino"
    node "$NODE_GYP" rebuild "${NODEDIR_ARG[@]}" -j "$(nproc 2>/dev/null || echo 2)" -- -Dov_dir="$OVDIR" -Dov_lib="libopenvino.so.$OV_LIB_SUFFIX"
  ) >"$BUILD_LOG" 2>&1 || { tail -n 40 "$BUILD_LOG" >&2; die "node-gyp build failed (full log: $BUILD_LOG)"; }
  ADDON="$ROOT/native/openvino/build/Release/ov_node_addon.node"
  [ -f "$ADDON" ] || die "the build produced no ov_node_addon.node (log: $BUILD_LOG)"

  say "installing the addon and the runtime into $PKG_DIR/bin"
  rm -rf "$PKG_DIR/bin"; mkdir -p "$PKG_DIR/bin"
  cp "$OVDIR"/libs/* "$PKG_DIR/bin/"
  cp "$ADDON" "$PKG_DIR/bin/ov_node_addon.node"
fi

# --- Python openvino for benchmark_app -------------------------------------------------------
if [ "$VENV" = 1 ] && { [ "$FORCE" = 1 ] || ! venv_ok; }; then
  say "making $VENV_DIR (pip install openvino==$OV_VERSION: benchmark_app)"
  rm -rf "$VENV_DIR"
  "$PYTHON" -m venv "$VENV_DIR" || die "$PYTHON -m venv failed (install python3-venv)"
  "$VENV_DIR/bin/python" -m pip install --disable-pip-version-check -q "$WHEEL" \
    || die "pip install openvino into $VENV_DIR failed (its dependencies come from PyPI)"
  venv_ok || die "$VENV_DIR has no working benchmark_app"
fi

# --- verify ----------------------------------------------------------------------------------
verify || die "openvino-node was installed but does not verify (see the error above)"
[ "$VENV" = 0 ] || say "benchmark_app: $VENV_DIR/bin/benchmark_app"
say "done in $(( $(date +%s) - START )) s"
