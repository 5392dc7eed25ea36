// Weights and activations over a bound (DARKNET_MAX_BYTES, default 4 GiB) are errors of the cfg:
// `filters=2000000000` or `size=99999` analyse fine, but every command that allocates for them
// (weights synth, prune, forward, export…) would be OOM-killed or fail inside a typed array.
// The CLI refuses a cfg with errors before it allocates anything.

import { formatBytes } from '../text/bytes';
import type { Diagnostic, Network } from './network';
import { shapeText } from './network';

export const DEFAULT_MAX_BYTES = 4 * 2 ** 30;
export const MAX_BYTES_ENV = 'DARKNET_MAX_BYTES';

const FLOAT_BYTES = 4;
const HEADS = new Set(['yolo', 'Gaussian_yolo', 'region', 'detection']);
const SUFFIX: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

export interface SizeBound {
  bytes: number;
  /** How the bound is named in messages, e.g. "the 4 GiB bound (DARKNET_MAX_BYTES)". */
  text: string;
}

/** The bound from DARKNET_MAX_BYTES (bytes, or with a K/M/G/T suffix, e.g. `8G`), else the default. */
export function sizeBoundFromEnv(env: Record<string, string | undefined> = typeof process === 'undefined' ? {} : process.env): SizeBound {
  const raw = env[MAX_BYTES_ENV];
  if (raw === undefined || raw.trim() === '')
    return { bytes: DEFAULT_MAX_BYTES, text: `the ${formatBytes(DEFAULT_MAX_BYTES)} bound (${MAX_BYTES_ENV} raises it)` };
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(raw);
  const bytes = m ? Number(m[1]) * SUFFIX[m[2].toLowerCase()] : NaN;
  if (!(bytes > 0))
    return {
      bytes: DEFAULT_MAX_BYTES,
      text: `the default ${formatBytes(DEFAULT_MAX_BYTES)} bound (${MAX_BYTES_ENV}=${JSON.stringify(raw)} is not a size such as 8G)`,
    };
  return { bytes, text: `the ${formatBytes(bytes)} bound of ${MAX_BYTES_ENV}` };
}

export const sizeBoundOf = (bytes: number): SizeBound => ({ bytes, text: `the ${formatBytes(bytes)} bound` });

/** Pushes `too-large` errors: the first layer over the bound on its own, else where a total crosses it. */
export function checkSizeBound(net: Network, bound: SizeBound, push: (d: Diagnostic) => void): void {
  const over = (bytes: number) => !(bytes <= bound.bytes); // NaN counts as over
  const error = (range: Diagnostic['range'], message: string, layer?: number) =>
    push({ range, severity: 'error', code: 'too-large', message: `${message}, over ${bound.text}`, layer });

  const n = net.net;
  const inputBytes = n.width * n.height * n.channels * FLOAT_BYTES;
  const inputOver = !!n.section && over(inputBytes);
  if (n.section && inputOver)
    error(n.section.headerRange, `The network input ${n.width}×${n.height}×${n.channels} is ${formatBytes(inputBytes)} as float32`);

  // A forward pass keeps an output until its last reader (detection heads: to the end), so the
  // activations it holds at once peak somewhere along the layers.
  const count = net.layers.length;
  const lastUse = net.layers.map((l) => (HEADS.has(l.type) ? count - 1 : l.index));
  for (const l of net.layers) for (const s of l.sources) if (s >= 0 && s < count) lastUse[s] = Math.max(lastUse[s], l.index);
  const released = new Float64Array(count);
  net.layers.forEach((l, k) => {
    released[lastUse[k]] += l.outputs * FLOAT_BYTES;
  });

  let weights = 0,
    live = Math.max(0, inputBytes);
  let layerWeights = false,
    layerOutput = false,
    totalWeights = false,
    totalLive = inputOver;
  for (const l of net.layers) {
    const at = l.section.headerRange,
      name = `Layer ${l.index} (${l.type})`;
    const w = Math.max(l.weightFloats, l.params) * FLOAT_BYTES;
    const a = l.outputs * FLOAT_BYTES;
    weights += w;
    live += a;
    if (!layerWeights && over(w)) {
      layerWeights = totalWeights = true;
      error(at, `${name}: its weights are ${formatBytes(w)}`, l.index);
    }
    if (!layerOutput && over(a)) {
      layerOutput = totalLive = true;
      error(at, `${name}: its output ${shapeText(l.output)} is ${formatBytes(a)} as float32`, l.index);
    }
    if (!totalWeights && over(weights)) {
      totalWeights = true;
      error(at, `The weights reach ${formatBytes(weights)} at layer ${l.index} (${l.type})`, l.index);
    }
    if (!totalLive && over(live)) {
      totalLive = true;
      error(at, `A forward pass holds ${formatBytes(live)} of activations at layer ${l.index} (${l.type})`, l.index);
    }
    live -= released[l.index] + (l.index === 0 ? Math.max(0, inputBytes) : 0);
  }
}
