// The seed-style table at the end of the demo (scripts/demo.sh), from scripts/stage-table.mjs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatStageTable, measureStages, stageSummary } from './stage-table.mjs';

const out = process.argv[2];
const cli = (...args) =>
  execFileSync(process.execPath, ['bin/darknet-pruner.js', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const bench = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8'));
const latency = (i) => bench.models[i].latency.medianMs;
const rows = measureStages(cli, join(out, 'data', 'obj.data'), [
  { name: 'baseline', cfg: join(out, 'model.cfg'), weights: join(out, 'baseline', 'last.weights'), latencyMs: latency(0) },
  { name: 'sparsity-trained', cfg: join(out, 'model.cfg'), weights: join(out, 'sparse', 'last.weights') },
  { name: 'pruned (60% + 2 units)', cfg: join(out, 'pruned', 'model-pruned.cfg'), weights: join(out, 'pruned', 'model-pruned.weights') },
  {
    name: 'fine-tuned',
    cfg: join(out, 'pruned', 'model-pruned.cfg'),
    weights: join(out, 'finetuned', 'last.weights'),
    latencyMs: latency(1),
  },
]);
for (const line of formatStageTable(rows, bench.runtime)) console.log(line);
console.log(`\n${stageSummary(rows[0], rows[3])} (a real run trains for thousands of iterations; this demo takes minutes)`);
