#!/usr/bin/env bash
# The end-to-end demo on our example detector: synthetic weights → γ statistics → channel + layer
# pruning → diff → forward pass → ONNX export. Everything lands in ./demo-output.
set -euo pipefail
cd "$(dirname "$0")/.."
cli() { node bin/darknet-pruner.js "$@"; }
out=demo-output
rm -rf "$out" && mkdir -p "$out"
cp examples/residual-detector.cfg "$out/model.cfg"
echo "== layer table"; cli info "$out/model.cfg" | tail -4
echo "== diagnostics"; cli check "$out/model.cfg"
echo "== synthetic weights (a real run starts from trained, sparsity-trained weights)"
cli weights synth "$out/model.cfg" -o "$out/model.weights"
echo "== BN-γ statistics at 60%"; cli gamma "$out/model.cfg" "$out/model.weights" --percent 0.6 | tail -8
echo "== sweep"; cli sweep "$out/model.cfg" "$out/model.weights" --percents 0.5:0.9:0.1 | tail -7
echo "== prune: 60% of channels, then 2 residual units"
cli prune channel "$out/model.cfg" "$out/model.weights" --global-percent 0.6 --then-shortcuts 2 -o "$out/pruned"
echo "== diff"; cli diff "$out/model.cfg" "$out/pruned/model-pruned.cfg" | tail -4
echo "== backends"; cli env | head -12
echo "== forward pass of the pruned model"
node -e "const f=new Float32Array(256*256*3);for(let i=0;i<f.length;i++)f[i]=(i%97)/97;require('fs').writeFileSync('$out/input.f32',Buffer.from(f.buffer))"
cli forward "$out/pruned/model-pruned.cfg" "$out/pruned/model-pruned.weights" --input "$out/input.f32" --out-dir "$out/forward"
if cli export --help >/dev/null 2>&1; then
  echo "== ONNX export"; cli export onnx "$out/pruned/model-pruned.cfg" "$out/pruned/model-pruned.weights" -o "$out/pruned/model-pruned.onnx"
fi
echo "demo finished: see $out/"
