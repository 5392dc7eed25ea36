// The sparsity verdict on the γ population a prune method uses (docs/pruning.md §Sparsity verdict).

import type { Network } from '../cfg/network';
import type { DarknetWeights } from '../weights/read';
import { absGammas, populationOf, sortedPopulation, type PruneMethod } from './plan';
import { sparsityVerdict, type SparsityVerdict } from './sparsity-verdict';
import { analyseChannelStructure, type ChannelStructure } from './structure';

export function populationVerdict(
  net: Network,
  weights: DarknetWeights,
  method: PruneMethod,
  percent?: number,
  structure: ChannelStructure = analyseChannelStructure(net),
  gammas: (Float32Array | undefined)[] = absGammas(net, weights),
): SparsityVerdict | undefined {
  const population = populationOf(structure, method);
  if (population.some((i) => !gammas[i])) return undefined; // the planner reports it
  const sorted = sortedPopulation(population, gammas);
  return sorted.length ? sparsityVerdict(sorted, percent, method === 'slim') : undefined;
}
