// Channel pruning end to end, in memory: plan masks → compensate consumers → compact cfg text and
// sliced weights → re-analyse and check the result.

import { analyseText } from '../cfg/analyse';
import type { Network } from '../cfg/network';
import type { DarknetWeights } from '../weights/read';
import { applyCompensation, propagateConstants } from './compensate';
import { applyEdits, filtersEdits, sliceWeights } from './compact';
import { evaluateChannelPrune, type ChannelPruneEvaluation } from './evaluate';
import { absGammas, PruneError, type ChannelPlanOptions } from './plan';
import { analyseChannelStructure, type ChannelStructure } from './structure';

export interface PrunedModel {
  cfgText: string;
  net: Network;
  weights: DarknetWeights;
  warnings: string[];
}

export interface ChannelPruneResult extends PrunedModel {
  structure: ChannelStructure;
  evaluation: ChannelPruneEvaluation;
}

/** The compact network must analyse cleanly and hold exactly the weights we made for it. */
export function checkCompact(model: PrunedModel, what: string): void {
  const err = model.net.diagnostics.find((d) => d.severity === 'error');
  if (err) throw new PruneError(`internal: the ${what} cfg does not analyse: line ${err.range.start.line + 1}: ${err.message}`);
  if (model.net.totals.weightFloats !== model.weights.totalFloats) {
    throw new PruneError(
      `internal: the ${what} cfg needs ${model.net.totals.weightFloats} floats, the sliced weights hold ${model.weights.totalFloats}`,
    );
  }
}

export function pruneChannels(net: Network, weights: DarknetWeights, opts: ChannelPlanOptions): ChannelPruneResult {
  const structure = analyseChannelStructure(net);
  const gammas = absGammas(net, weights);
  const evaluation = evaluateChannelPrune(net, gammas, opts, structure);
  const { plan, keep } = evaluation;
  const removed = plan.masks.map((m) => (m && m.some((v) => !v) ? m.map((v) => 1 - v) : undefined));
  const constants = propagateConstants(net, weights, removed, 'channel', keep);
  const compensated = applyCompensation(net, weights, constants, undefined, keep);
  const cfgText = applyEdits(net.doc.text, filtersEdits(net, evaluation.keptPerLayer));
  const compactNet = analyseText(cfgText);
  const sliced = sliceWeights(net, compensated, keep);
  const model = { cfgText, net: compactNet, weights: sliced, warnings: constants.warnings };
  checkCompact(model, 'channel-pruned');
  return { ...model, structure, evaluation };
}
