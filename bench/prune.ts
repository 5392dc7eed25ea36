// Slim channel prune of yolov4 end to end, as `prune channel` does it: read the .weights (≈ 258 MB,
// synthesized once to a temp file), plan masks at 80 %, compensate, compact cfg + sliced weights,
// re-analyse, serialize and write. Also a single evaluateChannelPrune (the webview slider path) and
// a whole 0.50:0.95:0.01 sweep. Median of several runs, esbuild bundle as shipped.
// Targets: end to end under 1 s; one evaluation under 100 ms (ideally ~10 ms); a sweep under 2 s.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Analyse from '../core/src/cfg/analyse';
import type * as Channel from '../core/src/prune/channel';
import type * as Evaluate from '../core/src/prune/evaluate';
import type * as Plan from '../core/src/prune/plan';
import type * as Sweep from '../core/src/prune/sweep';
import type * as Read from '../core/src/weights/read';
import type * as Synth from '../core/src/weights/synth';
import type * as Write from '../core/src/weights/write';
import { loadBundled, stats } from './lib/bundle';

const CORPUS = process.env.DARKNET_CORPUS ?? join(__dirname, '..', '..', 'shared', 'corpus');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ratio = (ms: number, target: number) =>
  `${ms.toFixed(1)} ms vs target ${target} ms → ${(ms / target).toFixed(2)}× of target (${ms < target ? 'met' : 'NOT met'})`;

async function main() {
  const m = await loadBundled<
    typeof Analyse & typeof Channel & typeof Evaluate & typeof Plan & typeof Sweep & typeof Read & typeof Synth & typeof Write
  >(`
    export { analyseText } from './core/src/cfg/analyse';
    export { pruneChannels } from './core/src/prune/channel';
    export { evaluateChannelPrune } from './core/src/prune/evaluate';
    export { absGammas } from './core/src/prune/plan';
    export { sweepChannelPrune, parsePercentRange } from './core/src/prune/sweep';
    export { readWeightsFile } from './core/src/weights/read';
    export { synthesizeWeights } from './core/src/weights/synth';
    export { serializeWeights } from './core/src/weights/write';`);
  const cfgText = readFileSync(join(CORPUS, 'cfg', 'yolov4.cfg'), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'prune-bench-'));
  const file = join(dir, 'yolov4.weights');
  try {
    const net0 = m.analyseText(cfgText);
    writeFileSync(file, m.serializeWeights(net0, m.synthesizeWeights(net0)));
    const total: number[] = [],
      parts: string[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const t0 = performance.now();
      const net = m.analyseText(cfgText);
      const w = m.readWeightsFile(file, net);
      const t1 = performance.now();
      const r = m.pruneChannels(net, w, { globalPercent: 0.8, layerKeep: 0.01 });
      const t2 = performance.now();
      writeFileSync(join(dir, 'out.cfg'), r.cfgText);
      writeFileSync(join(dir, 'out.weights'), m.serializeWeights(r.net, r.weights));
      const t3 = performance.now();
      if (i === 0) continue;
      total.push(t3 - t0);
      parts.push(`read ${(t1 - t0).toFixed(0)} + prune ${(t2 - t1).toFixed(0)} + write ${(t3 - t2).toFixed(0)} ms`);
    }
    const med = stats(total).median;
    console.log(`yolov4 slim 0.8 end to end, median of ${RUNS} (esbuild bundle, node ${process.version}); e.g. ${parts[0]}`);
    console.log(`  end to end: ${ratio(med, 1000)}`);

    const net = m.analyseText(cfgText);
    const g = m.absGammas(net, m.readWeightsFile(file, net));
    m.evaluateChannelPrune(net, g, { globalPercent: 0.5 });
    const evals: number[] = [];
    for (let k = 0; k < 40; k++) {
      const t0 = performance.now();
      m.evaluateChannelPrune(net, g, { globalPercent: 0.5 + k * 0.01 });
      evals.push(performance.now() - t0);
    }
    console.log(`  evaluateChannelPrune (one slider position): ${ratio(stats(evals).median, 100)}`);
    const sweeps: number[] = [];
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      m.sweepChannelPrune(
        net,
        g,
        Array.from({ length: 46 }, (_, k) => Number((0.5 + k * 0.01).toFixed(2))),
      );
      sweeps.push(performance.now() - t0);
    }
    console.log(`  sweep 0.50:0.95:0.01 (46 points): ${ratio(stats(sweeps).median, 2000)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
