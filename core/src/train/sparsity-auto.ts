// `train --sparsity auto`: the sparsity s for the next epoch from the measured mAP@0.5 trend and γ
// compression (docs/training.md §Sparsity auto). Pure: the state goes into the checkpoint so a resumed
// run continues with the s it had chosen.

/** The seed's advice: start at 0.001 and lower to 0.0001 when mAP collapses. */
export const AUTO_START = 1e-3;
export const AUTO_MIN = 1e-4;
export const AUTO_MAX = 1e-2;
/** mAP below this fraction of the best so far is a collapse. */
export const COLLAPSE = 0.5;
/** A best mAP under this is too small to call a fall from it a collapse (a few detections' noise). */
export const MIN_BEST = 0.05;
/** mAP at or above this fraction of the best so far holds. */
export const HOLDS = 0.9;
/** Compression (share of |γ| < 0.01) gaining less than this over an epoch has stalled. */
export const STALL = 0.005;

export interface AutoSparsityState {
  /** s in force for the epoch about to run. */
  s: number;
  /** Highest s a raise may reach: AUTO_MAX, then half of any s under which mAP collapsed. */
  ceiling: number;
  /** Best mAP@0.5 measured so far (the starting weights' included), the reference of collapse and hold. */
  best: number;
  /** Share of |γ| < 0.01 at the last measurement. */
  compression: number;
}

export interface AutoSparsityDecision {
  state: AutoSparsityState;
  action: 'keep' | 'lower' | 'raise';
  reason: string;
}

const fmtS = (s: number) => s.toExponential();
/** 3 significant digits: 0.001·0.1 is 1e-4, not 1.0000000000000002e-4. */
const round = (s: number) => Number(s.toPrecision(3));
const f3 = (x: number) => x.toFixed(3);
const pp = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Before the first epoch: s = 0.001, the starting weights' mAP and compression as the reference. */
export function startAutoSparsity(map50: number, compression: number): AutoSparsityDecision {
  return {
    state: { s: AUTO_START, ceiling: AUTO_MAX, best: map50, compression },
    action: 'keep',
    reason: `start at s ${fmtS(AUTO_START)} (the seed's advice); starting mAP@0.5 ${f3(map50)}, |γ|<0.01 ${pp(compression)}`,
  };
}

/** After an epoch trained with `state.s`: the s for the next one, and why. */
export function nextSparsity(state: AutoSparsityState, map50: number, compression: number): AutoSparsityDecision {
  const { s, best } = state;
  const gain = compression - state.compression;
  const trend = `mAP@0.5 ${f3(map50)} (best ${f3(best)}), |γ|<0.01 ${pp(compression)} (${gain >= 0 ? '+' : ''}${(100 * gain).toFixed(1)} pp)`;
  const next: AutoSparsityState = { ...state, best: Math.max(best, map50), compression };
  if (best >= MIN_BEST && map50 < COLLAPSE * best) {
    if (s <= AUTO_MIN)
      return { state: next, action: 'keep', reason: `${trend}: mAP collapsed, but s is at its floor ${fmtS(AUTO_MIN)}: keep` };
    next.s = Math.max(AUTO_MIN, round(s * 0.1));
    next.ceiling = Math.max(AUTO_MIN, round(s / 2));
    return { state: next, action: 'lower', reason: `${trend}: mAP fell under half the best: lower s ${fmtS(s)} → ${fmtS(next.s)}` };
  }
  if (gain < STALL && map50 >= HOLDS * best) {
    const raised = Math.min(state.ceiling, round(s * 2));
    if (raised > s) {
      next.s = raised;
      return {
        state: next,
        action: 'raise',
        reason: `${trend}: compression stalled (< ${(100 * STALL).toFixed(1)} pp) while mAP holds: raise s ${fmtS(s)} → ${fmtS(raised)}`,
      };
    }
    return { state: next, action: 'keep', reason: `${trend}: compression stalled, but s is at its ceiling ${fmtS(state.ceiling)}: keep` };
  }
  return {
    state: next,
    action: 'keep',
    reason: `${trend}: ${gain >= STALL ? 'compression moving' : 'mAP below 90% of the best'}: keep s ${fmtS(s)}`,
  };
}
