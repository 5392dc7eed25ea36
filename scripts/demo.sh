#!/usr/bin/env bash
# The whole recipe on its own synthetic data, in a few minutes, into ./demo-output:
#   data → baseline training → sparsity training (L1 on BN γ) → sweep with mAP → channel + layer
#   pruning → fine-tuning → ONNX (and OpenVINO IR where set up) export → benchmark,
# ending with the seed-style table of what each step bought. Works right after `npm install`
# (TF.js wasm); faster with `npm run setup:tensorflow`, and benchmarks OpenVINO after `npm run setup:openvino`.
set -euo pipefail
cd "$(dirname "$0")/.."
cli() { node bin/darknet-pruner.js "$@"; }
out=demo-output
rm -rf "$out" && mkdir -p "$out"
# The example detector at 96×96, with a learning-rate schedule for a few epochs instead of thousands
sed -e 's/^width=.*/width=96/; s/^height=.*/height=96/; s/^batch=.*/batch=8/; s/^learning_rate=.*/learning_rate=0.01/; s/^burn_in=.*/burn_in=8/; s/^steps=.*/steps=1000,2000/' \
  examples/residual-detector.cfg > "$out/model.cfg"
echo "== layer table"; cli info "$out/model.cfg" | tail -2
echo "== synthetic data (2 shape classes on textured backgrounds)"
cli data synth -o "$out/data" --classes 2 --images 80 --size 96 --seed 7
data="$out/data/obj.data"
echo "== baseline training"
cli train "$out/model.cfg" --data "$data" --epochs "${DEMO_EPOCHS:-4}" --batch 8 --seed 1 -o "$out/baseline" | tail -2
echo "== sparsity training (L1 on BN γ, s=0.01, the slim prunable set)"
cli train "$out/model.cfg" --data "$data" --weights "$out/baseline/last.weights" --epochs "${DEMO_EPOCHS:-4}" --batch 8 --seed 2 \
  --sparsity 0.01 --prune-mode slim -o "$out/sparse" | tail -2
echo "== γ statistics and the sweep with mAP"
cli gamma "$out/model.cfg" "$out/sparse/last.weights" --percent 0.6 | tail -4
cli sweep "$out/model.cfg" "$out/sparse/last.weights" --percents 0.3:0.8:0.1 --data "$data" | tail -9
echo "== prune: 60% of channels, then 2 residual units"
cli prune channel "$out/model.cfg" "$out/sparse/last.weights" --global-percent 0.6 --then-shortcuts 2 -o "$out/pruned" | tail -2
echo "== fine-tuning the pruned model"
cli train --finetune "$out/pruned" --data "$data" --epochs "${DEMO_EPOCHS:-4}" --warmup-epochs 1 --batch 8 --seed 3 -o "$out/finetuned" | tail -2
cp "$out/pruned/model-pruned.cfg" "$out/finetuned/model-pruned.cfg"
echo "== export"
cli export onnx "$out/model.cfg" "$out/baseline/last.weights" -o "$out/baseline.onnx"
cli export onnx "$out/finetuned/model-pruned.cfg" "$out/finetuned/last.weights" -o "$out/pruned.onnx"
runtime=onnxruntime
if cli env --json 2>/dev/null | node -e "const e=JSON.parse(require('fs').readFileSync(0,'utf8'));process.exit(e.runtimes.some((r)=>r.name==='openvino-node'&&r.loadable)?0:1)"; then
  cli export openvino "$out/finetuned/model-pruned.cfg" "$out/finetuned/last.weights" -o "$out/pruned-ir"
  runtime=openvino
fi
echo "== benchmark ($runtime, interleaved): baseline vs pruned"
cli bench "$out/baseline.onnx" "$out/pruned.onnx" --runtime "$runtime" --iterations 60 --json > "$out/bench.json"
echo "== what each step bought"
node scripts/demo-table.mjs "$out"
