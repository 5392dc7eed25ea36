// Rewriting the cfg text of a pruned network: the `filters=` edits of channel pruning and the
// section removals + reference renumbering of layer pruning, on generated residual networks of
// 8k and 100k layers (test/prune/generated-cfg.ts), as bundled. Prints the time of applyEdits and
// of computing the edits; the analysis of the generated text is timed apart.
// For comparison at 8k layers: the former one-edit-at-a-time application (quadratic; 100k layers
// took over 14 minutes with it, so it is not run there).

import type * as Analyse from '../core/src/cfg/analyse';
import type * as Compact from '../core/src/prune/compact';
import type * as Layer from '../core/src/prune/layer';
import { generatedCfg, unitLayers } from '../test/prune/generated-cfg';
import { loadBundled, stats } from './lib/bundle';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function oneByOne(text: string, edits: Compact.TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};
const median = (f: () => unknown) => stats(Array.from({ length: RUNS }, () => time(f)[1])).median;

async function main() {
  const m = await loadBundled<typeof Analyse & typeof Compact & typeof Layer>(`
    export { analyseText } from './core/src/cfg/analyse';
    export { applyEdits, filtersEdits } from './core/src/prune/compact';
    export { removalEdits } from './core/src/prune/layer';`);
  console.log(`cfg edits of pruning, median of ${RUNS} runs (esbuild bundle, node ${process.version})`);
  for (const units of [2_600, 33_000]) {
    const text = generatedCfg({ units });
    const [net, analyseMs] = time(() => m.analyseText(text));
    const layers = net.layers.length;
    const kept = net.layers.map((l) => (l.type === 'convolutional' ? 1 + (l.index % 15) : 0));
    const [channel, channelEditsMs] = time(() => m.filtersEdits(net, kept));
    const removed = new Set(
      Array.from({ length: units }, (_, u) => u)
        .filter((u) => u % 10 !== 9 && u % 3 === 1)
        .flatMap(unitLayers),
    );
    const alias = (t: number): number => (removed.has(t) && net.layers[t].type === 'shortcut' ? alias(t - 3) : t);
    const [layer, layerEditsMs] = time(() => m.removalEdits(net, removed, alias).edits);
    console.log(`\n${layers} layers (${(text.length / 2 ** 20).toFixed(1)} MiB of cfg; analysing it: ${analyseMs.toFixed(0)} ms)`);
    console.log(
      `  channel pruning: ${channel.length} filters= edits computed in ${channelEditsMs.toFixed(1)} ms, applied in ${median(() => m.applyEdits(text, channel)).toFixed(1)} ms`,
    );
    console.log(
      `  layer pruning:   ${layer.length} edits (${removed.size} layers removed) computed in ${layerEditsMs.toFixed(1)} ms, applied in ${median(() => m.applyEdits(text, layer)).toFixed(1)} ms`,
    );
    if (layers < 10_000) {
      console.log(
        `  one edit at a time (the former applyEdits): channel ${time(() => oneByOne(text, channel))[1].toFixed(0)} ms, layer ${time(() => oneByOne(text, layer))[1].toFixed(0)} ms`,
      );
    }
  }
}

void main();
