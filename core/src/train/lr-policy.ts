// darknet's [net] training settings and its learning-rate schedule (get_current_rate): burn_in with
// `power`, then the policy — constant, step, steps, exp, poly, sig, sgdr (AlexeyAB).

import { UserError } from '../errors';
import { Options } from '../cfg/analyse';
import type { Network } from '../cfg/network';

export class TrainSettingsError extends UserError {}

export type Policy = 'constant' | 'step' | 'steps' | 'exp' | 'poly' | 'sig' | 'sgdr';

export interface TrainSettings {
  /** Images per optimiser step (darknet's batch) and mini-batches it is split into. */
  batch: number;
  subdivisions: number;
  learningRate: number;
  momentum: number;
  decay: number;
  burnIn: number;
  power: number;
  policy: Policy;
  steps: number[];
  scales: number[];
  step: number;
  scale: number;
  gamma: number;
  maxBatches: number;
  sgdrCycle: number;
  sgdrMult: number;
  learningRateMin: number;
  adam: boolean;
  b1: number;
  b2: number;
  eps: number;
}

const POLICIES: Policy[] = ['constant', 'step', 'steps', 'exp', 'poly', 'sig', 'sgdr'];

/** The [net] section's training settings with darknet's defaults. */
export function trainSettings(net: Network): TrainSettings {
  const s = net.net.section;
  const o = s ? new Options(s) : undefined;
  const at = `[net]${s ? ` (line ${s.line + 1})` : ''}`;
  const f = (k: string, d: number) => o?.float(k, d) ?? d;
  const i = (k: string, d: number) => o?.int(k, d) ?? d;
  const policy = (o?.str('policy', 'constant') ?? 'constant').trim() as Policy;
  if (!POLICIES.includes(policy)) throw new TrainSettingsError(`${at}: policy=${policy} is not one of ${POLICIES.join(', ')}`);
  const list = (k: string) =>
    (o?.str(k, '') ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '')
      .map(Number);
  const steps = list('steps'),
    scales = list('scales');
  if (policy === 'steps' && (steps.length === 0 || steps.length !== scales.length)) {
    throw new TrainSettingsError(
      `${at}: policy=steps needs steps= and scales= of the same length (got ${steps.length} and ${scales.length})`,
    );
  }
  const maxBatches = i('max_batches', 0);
  const batch = net.net.batch,
    subdivisions = net.net.subdivisions;
  if (batch < 1 || subdivisions < 1 || batch % subdivisions)
    throw new TrainSettingsError(`${at}: batch=${batch} must be a positive multiple of subdivisions=${subdivisions}`);
  return {
    batch,
    subdivisions,
    learningRate: f('learning_rate', 0.001),
    momentum: f('momentum', 0.9),
    decay: f('decay', 0.0001),
    burnIn: i('burn_in', 0),
    power: f('power', 4),
    policy,
    steps,
    scales,
    step: i('step', 1),
    scale: f('scale', 1),
    gamma: f('gamma', 1),
    maxBatches,
    sgdrCycle: i('sgdr_cycle', maxBatches),
    sgdrMult: i('sgdr_mult', 2),
    learningRateMin: f('learning_rate_min', 0.00001),
    adam: i('adam', 0) !== 0,
    b1: f('B1', 0.9),
    b2: f('B2', 0.999),
    eps: f('eps', 0.0000001),
  };
}

/** darknet's get_current_rate for `batchNum` optimiser steps done (counting the one being taken). */
export function learningRate(s: TrainSettings, batchNum: number): number {
  const lr = s.learningRate;
  if (batchNum < s.burnIn) return lr * Math.pow(batchNum / s.burnIn, s.power);
  switch (s.policy) {
    case 'constant':
      return lr;
    case 'step':
      return lr * Math.pow(s.scale, Math.trunc(batchNum / s.step));
    case 'steps': {
      let rate = lr;
      for (let k = 0; k < s.steps.length; k++) {
        if (s.steps[k] > batchNum) return rate;
        rate *= s.scales[k];
      }
      return rate;
    }
    case 'exp':
      return lr * Math.pow(s.gamma, batchNum);
    case 'poly':
      return lr * Math.pow(1 - batchNum / s.maxBatches, s.power);
    case 'sig':
      return lr * (1 / (1 + Math.exp(s.gamma * (batchNum - s.step))));
    case 'sgdr': {
      let start = 0,
        cycle = s.sgdrCycle;
      while (start + cycle < batchNum) {
        start += cycle;
        cycle *= s.sgdrMult;
      }
      return s.learningRateMin + 0.5 * (lr - s.learningRateMin) * (1 + Math.cos(((batchNum - start) * 3.14159265) / cycle));
    }
  }
}
