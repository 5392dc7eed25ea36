#!/usr/bin/env bash
# Real detection data for the data tests and for trying the pipeline: the images and annotations that
# the DeepForest package (MIT licence) ships in its PyPI wheel — aerial RGB crops of tree crowns with
# boxes as Pascal VOC XML and as CSV (OSBS_029: 61 boxes, SOAP_061: 37, two larger crops: 279 and
# 574). Cached outside the repository, never committed.
#
#   npm run setup:data              # download (cached) and extract
#   npm run setup:data -- --force   # extract again
#
# Environment: DARKNET_PRUNER_CACHE (default ~/.cache/darknet-pruner), PYTHON (default python3).
# Result: $CACHE/deepforest-2.1.0/data/  (the wheel's deepforest/data folder, read-only files)
set -euo pipefail

VERSION=2.1.0
SHA256=8c2798d8e9be7f0004b194fe207b76c1d9fff6e711b3db67b9508dcd5d00ae54
FORCE=0
for a in "$@"; do
  case "$a" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup-data: unknown option $a" >&2; exit 2 ;;
  esac
done
say() { printf 'setup-data: %s\n' "$*"; }
die() { printf 'setup-data: error: %s\n' "$*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
CACHE=${DARKNET_PRUNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/darknet-pruner}
WHEELS="$CACHE/wheels"
WHEEL="$WHEELS/deepforest-$VERSION-py3-none-any.whl"
DEST="$CACHE/deepforest-$VERSION"

if [ "$FORCE" = 0 ] && [ -f "$DEST/data/.complete" ]; then
  say "already set up: $DEST/data"
  exit 0
fi
mkdir -p "$WHEELS"
if [ ! -f "$WHEEL" ]; then
  command -v "$PYTHON" >/dev/null || die "$PYTHON not found: a Python with pip is needed to download the wheel (set PYTHON=...)"
  say "downloading deepforest==$VERSION from PyPI (≈21 MB) into $WHEELS"
  "$PYTHON" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q -d "$WHEELS" "deepforest==$VERSION" \
    || die "pip download deepforest==$VERSION failed (no access to PyPI? put $(basename "$WHEEL") in $WHEELS by hand)"
fi
[ -f "$WHEEL" ] || die "pip did not leave $(basename "$WHEEL") in $WHEELS"
GOT=$(sha256sum "$WHEEL" | cut -d' ' -f1)
[ "$GOT" = "$SHA256" ] || die "$WHEEL: SHA-256 $GOT, expected $SHA256 (remove it and run again)"

# extract deepforest/data/ into a temporary folder, then rename: never a half-extracted dataset
TMP="$CACHE/.deepforest-$VERSION.tmp-$$"
rm -rf "$TMP"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP"
"$PYTHON" - "$WHEEL" "$TMP" <<'PY'
import sys, zipfile, os
wheel, out = sys.argv[1], sys.argv[2]
n = 0
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        if info.filename.startswith('deepforest/data/') and not info.is_dir():
            target = os.path.join(out, 'data', info.filename[len('deepforest/data/'):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(info) as src, open(target, 'wb') as dst:
                dst.write(src.read())
            os.chmod(target, 0o444)
            n += 1

PY
touch "$TMP/data/.complete"
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
say "DeepForest $VERSION data in $DEST/data ($(ls "$DEST/data" | wc -l) files)"
