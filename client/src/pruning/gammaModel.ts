// The γ histogram's data, computed in the extension host from the cfg and the BN scales of the
// weights (a few positional reads, pure JavaScript — no ML runtime), and the live what-if figures.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyseText } from '../../../core/src/cfg/analyse';
import type { Network } from '../../../core/src/cfg/network';
import { evaluateChannelPrune } from '../../../core/src/prune/evaluate';
import { readGammaWeights } from '../../../core/src/prune/gamma-read';
import { absGammas, populationOf, sortedPopulation } from '../../../core/src/prune/plan';
import { analyseChannelStructure, type ChannelStructure } from '../../../core/src/prune/structure';
import type { GammaOverlay, GammaView, PruneFigures } from '../../../webviews/src/shared/protocol';

export class GammaModel {
  private constructor(
    readonly net: Network,
    readonly gammas: (Float32Array | undefined)[],
    readonly structure: ChannelStructure,
    readonly population: number[],
  ) {}

  static load(cfgPath: string, weightsPath: string): GammaModel {
    const net = analyseText(readFileSync(cfgPath, 'utf8'));
    const err = net.diagnostics.find((d) => d.severity === 'error');
    if (err) throw new Error(`${path.basename(cfgPath)}:${err.range.start.line + 1}: ${err.message}`);
    const weights = readGammaWeights(weightsPath, net);
    const structure = analyseChannelStructure(net);
    return new GammaModel(net, absGammas(net, weights), structure, populationOf(structure, 'slim'));
  }

  view(title: string, percent: number, layerKeep: number): GammaView {
    const sorted = sortedPopulation(this.population, this.gammas);
    const perLayer: Record<number, number[]> = {};
    const layers = this.population.map((i) => {
      const g = this.gammas[i]!;
      perLayer[i] = Array.from(g);
      let min = Infinity,
        max = -Infinity,
        sum = 0;
      for (const v of g) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
      }
      return { index: i, channels: g.length, min, max, mean: sum / g.length };
    });
    return { title, layers, sorted: Array.from(sorted), perLayer, percent, layerKeep };
  }

  figures(percent: number, layerKeep: number): PruneFigures {
    return this.evaluate(percent, layerKeep).figures;
  }

  /** The figures, and the fraction of channels each prunable layer keeps (the graph's γ overlay). */
  evaluate(percent: number, layerKeep: number): { figures: PruneFigures; overlay: GammaOverlay } {
    const t0 = performance.now();
    const e = evaluateChannelPrune(this.net, this.gammas, { globalPercent: percent, layerKeep, method: 'slim' }, this.structure);
    let kept = 0,
      total = 0;
    const fractions: Record<number, number> = {};
    for (const i of this.population) {
      const filters = this.net.layers[i].attrs.filters!;
      kept += e.keptPerLayer[i];
      total += filters;
      fractions[i] = filters > 0 ? e.keptPerLayer[i] / filters : 1;
    }
    const figures: PruneFigures = {
      percent,
      threshold: e.threshold,
      channels: { kept, total },
      params: { before: e.before.params, after: e.totals.params },
      bflops: { before: e.before.bflops, after: e.totals.bflops },
      weightsBytes: { before: e.before.weightsBytes, after: e.totals.weightsBytes },
      floored: e.floored,
      emptied: e.emptied,
      elapsedMs: performance.now() - t0,
    };
    return { figures, overlay: { percent, threshold: e.threshold, kept: fractions } };
  }
}
