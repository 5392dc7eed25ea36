#!/usr/bin/env bash
# PyTorch on the CPU for bench/train-throughput.ts (the peer our trainer's images/s is compared
# with; bench/torch_train_step.py). Figures and facts: docs/training.md §Throughput.
#
#   npm run setup:torch              # venv at $CACHE/torch-venv-2.15.0, verified
#   npm run setup:torch -- --force   # remake the venv
#
# Environment: DARKNET_PRUNER_CACHE (default ~/.cache/darknet-pruner), PYTHON (default python3).
#
# PyPI's only Linux x86_64 torch wheel is the CUDA build (the CPU-only wheels live on an index this
# machine cannot reach), and it does not import without its CUDA libraries even on a machine without
# a GPU: libtorch_cpu.so itself links libcudart and libcupti, and libtorch_cuda.so (linked by
# libtorch.so) cuBLAS, cuDNN, cuFFT, cuSPARSE(Lt), cuFile, NCCL, NVRTC and NVSHMEM. So the wheel is
# installed with --no-deps, then its pure-Python dependencies and exactly those CUDA library wheels
# (≈ 3.5 GB unpacked); triton and cuda-bindings (GPU-only Python packages) are left out. Nothing
# here needs or uses a GPU: the benchmark runs torch on the CPU.
set -euo pipefail

cd "$(dirname "$0")/.."
TORCH_VERSION=2.15.0
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "setup-torch: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'setup-torch: %s\n' "$*"; }
die() { printf 'setup-torch: error: %s\n' "$*" >&2; exit 1; }
START=$(date +%s)

[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] || die "only Linux x86_64 is handled here (elsewhere: pip install torch into a venv)"
CACHE=${DARKNET_PRUNER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/darknet-pruner}
PYTHON=${PYTHON:-python3}
VENV_DIR="$CACHE/torch-venv-$TORCH_VERSION"

# Imports torch, checks it sees no CUDA device, and trains one conv step on the CPU.
verify() {
  "$VENV_DIR/bin/python" -I - <<'EOF'
import time
t0 = time.time()
import torch
import torch.nn.functional as F
x = torch.rand(2, 3, 16, 16)
w = torch.rand(4, 3, 3, 3, requires_grad=True)
F.conv2d(x, w, padding=1).square().sum().backward()
assert w.grad is not None and w.grad.shape == w.shape and torch.isfinite(w.grad).all(), "conv backward failed"
print(f"setup-torch: verified: torch {torch.__version__} imports ({time.time() - t0:.1f} s), CUDA available: {torch.cuda.is_available()}, "
      f"threads {torch.get_num_threads()}, conv2d forward + backward on the CPU work")
EOF
}

if [ "$FORCE" = 0 ] && [ -x "$VENV_DIR/bin/python" ] && verify 2>/dev/null; then
  say "the torch venv already works ($VENV_DIR); nothing to do (use --force to remake it)"
  exit 0
fi

command -v "$PYTHON" >/dev/null || die "$PYTHON not found (set PYTHON=...)"
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || die "torch $TORCH_VERSION needs Python ≥ 3.10 ($PYTHON is $("$PYTHON" -V 2>&1))"
mkdir -p "$CACHE/wheels"

WHEEL=$(ls -1 "$CACHE/wheels/torch-$TORCH_VERSION-"*.whl 2>/dev/null | head -n1 || true)
if [ -z "$WHEEL" ]; then
  say "downloading torch==$TORCH_VERSION (≈ 540 MB, no dependencies) into $CACHE/wheels"
  "$PYTHON" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q -d "$CACHE/wheels" "torch==$TORCH_VERSION" \
    || die "pip download torch==$TORCH_VERSION failed (no access to PyPI?)"
  WHEEL=$(ls -1 "$CACHE/wheels/torch-$TORCH_VERSION-"*.whl 2>/dev/null | head -n1 || true)
  [ -n "$WHEEL" ] || die "pip left no torch-$TORCH_VERSION wheel in $CACHE/wheels"
fi

say "making $VENV_DIR"
rm -rf "$VENV_DIR"
"$PYTHON" -m venv "$VENV_DIR" || die "$PYTHON -m venv failed (install python3-venv)"
PIP=("$VENV_DIR/bin/python" -m pip install --disable-pip-version-check -q)
"${PIP[@]}" --no-deps "$WHEEL" || die "pip install $WHEEL failed"
say "installing torch's pure-Python dependencies and numpy"
"${PIP[@]}" filelock 'typing-extensions>=4.13.0' 'setuptools>=77.0.3' 'sympy>=1.13.3' 'networkx>=2.5.1' jinja2 'fsspec>=0.8.5' numpy \
  || die "pip install of torch's Python dependencies failed"
# Versions as the wheel's METADATA pins them (Requires-Dist).
say "installing the CUDA libraries torch's shared objects link (≈ 2.5 GB download; no GPU needed or used)"
"${PIP[@]}" 'cuda-toolkit[cublas,cudart,cufft,cufile,cupti,cusolver,cusparse,nvjitlink,nvrtc]==13.2.2' \
  nvidia-cudnn-cu13==9.26.0.51 nvidia-cusparselt-cu13==0.8.1 nvidia-nccl-cu13==2.30.7 nvidia-nvshmem-cu13==3.7.2 2>&1 \
  | grep -v -e "dependency resolver" -e "requires triton" -e "requires cuda-bindings" -e "^ERROR: pip's" >&2 || true
verify || die "torch was installed into $VENV_DIR but does not import or run (see the error above)"
say "python: $VENV_DIR/bin/python; done in $(( $(date +%s) - START )) s"
