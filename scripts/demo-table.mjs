// The seed-style table at the end of the demo (scripts/demo.sh): every stage evaluated the same
// way (`eval` on the valid list), its size from `info`, its speed from the interleaved `bench`.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
const cli = (...args) =>
  execFileSync(process.execPath, ['bin/darknet-pruner.js', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const data = join(out, 'data', 'obj.data');
const stages = [
  ['baseline', join(out, 'model.cfg'), join(out, 'baseline', 'last.weights')],
  ['sparsity-trained', join(out, 'model.cfg'), join(out, 'sparse', 'last.weights')],
  ['pruned (60% + 2 units)', join(out, 'pruned', 'model-pruned.cfg'), join(out, 'pruned', 'model-pruned.weights')],
  ['fine-tuned', join(out, 'pruned', 'model-pruned.cfg'), join(out, 'finetuned', 'last.weights')],
];
const bench = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
const latency = (i) => bench.models[i].latency.medianMs;
const rows = stages.map(([name, cfg, weights]) => {
  const e = JSON.parse(cli('eval', cfg, weights, '--data', data, '--json'));
  const info = JSON.parse(cli('info', cfg, '--json'));
  return {
    name,
    p: e.precision,
    r: e.recall,
    map: e.map50,
    params: info.totals.params,
    bytes: statSync(weights).size,
    bflops: info.totals.bflops,
  };
});
const ms = [latency(0), latency(1)];
const pad = (s, n) => String(s).padStart(n);
console.log(
  `${'stage'.padEnd(24)}${pad('P', 7)}${pad('R', 7)}${pad('mAP@0.5', 9)}${pad('params', 10)}${pad('size', 11)}${pad('BFLOPs', 9)}${pad(`${bench.runtime} ms`, 16)}`,
);
rows.forEach((r, i) => {
  const lat = i === 0 ? ms[0] : i === 3 ? ms[1] : undefined;
  console.log(
    `${r.name.padEnd(24)}${pad(r.p.toFixed(3), 7)}${pad(r.r.toFixed(3), 7)}${pad(r.map.toFixed(3), 9)}${pad(r.params.toLocaleString('en-US'), 10)}${pad(`${(r.bytes / 1024).toFixed(0)} KiB`, 11)}${pad(r.bflops.toFixed(3), 9)}${pad(lat === undefined ? '' : lat.toFixed(2), 16)}`,
  );
});
const [b, f] = [rows[0], rows[3]];
console.log(
  `\nparams −${(100 * (1 - f.params / b.params)).toFixed(1)}%, BFLOPs −${(100 * (1 - f.bflops / b.bflops)).toFixed(1)}%, mAP@0.5 ${b.map.toFixed(3)} → ${f.map.toFixed(3)}${ms[0] && ms[1] ? `, speed ×${(ms[0] / ms[1]).toFixed(2)}` : ''} (a real run trains for thousands of iterations; this demo takes minutes)`,
);
