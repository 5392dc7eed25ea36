// Read + BN-γ statistics of a yolov4-size .weights file (≈ 258 MB, synthesized once to a temp file):
// readWeightsFile (read, size check, per-layer views) + gammaStats (|γ| of every BN conv, shared
// histogram, global sort, threshold at 80 %). Median of several runs, esbuild bundle as shipped.
// Target: under 0.5 s.

import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Analyse from '../core/src/cfg/analyse';
import type * as Gamma from '../core/src/prune/gamma';
import type * as GammaRead from '../core/src/prune/gamma-read';
import type * as Read from '../core/src/weights/read';
import type * as Synth from '../core/src/weights/synth';
import type * as Write from '../core/src/weights/write';
import { loadBundled, stats } from './lib/bundle';

const CORPUS = process.env.DARKNET_CORPUS ?? join(__dirname, '..', '..', 'shared', 'corpus');
const TARGET_S = 0.5;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

type Mods = typeof Analyse & typeof Gamma & typeof GammaRead & typeof Read & typeof Synth & typeof Write;

async function main() {
  const m = await loadBundled<Mods>(`
    export { analyseText } from './core/src/cfg/analyse';
    export { gammaStats } from './core/src/prune/gamma';
    export { readGammaWeights } from './core/src/prune/gamma-read';
    export { readWeightsFile } from './core/src/weights/read';
    export { synthesizeWeights } from './core/src/weights/synth';
    export { serializeWeights } from './core/src/weights/write';`);
  const net = m.analyseText(readFileSync(join(CORPUS, 'cfg', 'yolov4.cfg'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'gamma-bench-'));
  const file = join(dir, 'yolov4.weights');
  try {
    let t0 = performance.now();
    writeFileSync(file, m.serializeWeights(net, m.synthesizeWeights(net)));
    const bytes = statSync(file).size;
    console.log(
      `synthesized ${file}: ${(bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s (not timed below)`,
    );

    const read: number[] = [],
      gamma: number[] = [],
      total: number[] = [];
    let summary = '';
    for (let i = 0; i < RUNS + 1; i++) {
      t0 = performance.now();
      const w = m.readWeightsFile(file, net);
      const t1 = performance.now();
      const s = m.gammaStats(net, w, { percent: 0.8, bins: 50 });
      const t2 = performance.now();
      if (i === 0) {
        summary = `${s.layers.length} BN layers, ${s.sorted.length} γ, thr(80%) = ${s.threshold}`;
        continue;
      } // warm-up
      read.push(t1 - t0);
      gamma.push(t2 - t1);
      total.push(t2 - t0);
    }
    const r = stats(read),
      g = stats(gamma),
      t = stats(total);
    console.log(`${summary}; median of ${RUNS} runs after 1 warm-up (esbuild bundle, node ${process.version})`);
    console.log(
      `  readWeightsFile ${r.median.toFixed(1)} ms (min ${r.min.toFixed(1)}), gammaStats ${g.median.toFixed(2)} ms (min ${g.min.toFixed(2)})`,
    );
    const sec = t.median / 1000;
    console.log(
      `read + γ stats: ${sec.toFixed(3)} s vs target ${TARGET_S} s → ${(sec / TARGET_S).toFixed(2)}× of target (${sec < TARGET_S ? 'met' : 'NOT met'})`,
    );

    // What `darknet-pruner gamma` does: same checks, positional reads of the γ blocks only.
    const sparse: number[] = [];
    for (let i = 0; i < RUNS + 1; i++) {
      t0 = performance.now();
      m.gammaStats(net, m.readGammaWeights(file, net), { percent: 0.8, bins: 50 });
      if (i > 0) sparse.push(performance.now() - t0);
    }
    const sp = stats(sparse).median / 1000;
    console.log(
      `readGammaWeights + γ stats (the CLI path): ${sp.toFixed(4)} s vs target ${TARGET_S} s → ${(sp / TARGET_S).toFixed(3)}× of target (${sp < TARGET_S ? 'met' : 'NOT met'})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
