// A training checkpoint: one file, `DPCK` + u32 header length + JSON header + float32 data (every
// model variable including BN rolling statistics, and the optimiser's buffers). With the header's
// position (epoch, step within it, iteration, seen) and the data-order seed it resumes a run exactly:
// the order of an epoch is a function of (seed, epoch) alone (batches.ts).

import { UserError } from '../errors';
import * as tf from '@tensorflow/tfjs-core';
import type { DarknetModel } from '../nn/model';
import type { OptimizerState } from './optimizer';

export class CheckpointError extends UserError {}

export interface CheckpointPosition {
  /** Epoch in progress (0-based) and optimiser steps of it already taken. */
  epoch: number;
  stepInEpoch: number;
  /** Optimiser steps and images since the start of the run. */
  iteration: number;
  seen: number;
}

export interface CheckpointHeader<Extra = unknown> {
  version: 1;
  position: CheckpointPosition;
  seed: number;
  /** What the caller needs to continue (options, metrics so far…). */
  extra: Extra;
  tensors: { key: string; offset: number; length: number }[];
  adamT: number;
}

const MAGIC = 0x4b435044; // 'DPCK' little-endian

/** A model variable's key without the per-build prefix: `l<layer>/<name>`. */
export const variableKey = (v: tf.Variable): string => v.name.slice(v.name.indexOf('/') + 1);

export function encodeCheckpoint<E>(
  model: DarknetModel,
  opt: OptimizerState,
  position: CheckpointPosition,
  seed: number,
  extra: E,
): Uint8Array {
  const chunks: { key: string; data: Float32Array }[] = [];
  for (const v of model.allVariables()) chunks.push({ key: variableKey(v), data: v.dataSync() as Float32Array });
  for (const [name, b] of Object.entries(opt.buffers)) {
    const k = name.slice(name.indexOf('/') + 1);
    chunks.push({ key: `opt:u:${k}`, data: b.u });
    if (b.m) chunks.push({ key: `opt:m:${k}`, data: b.m });
    if (b.v) chunks.push({ key: `opt:v:${k}`, data: b.v });
  }
  let offset = 0;
  const tensors = chunks.map((c) => {
    const t = { key: c.key, offset, length: c.data.length };
    offset += c.data.length;
    return t;
  });
  const header: CheckpointHeader<E> = { version: 1, position, seed, extra, tensors, adamT: opt.t };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (4 - (json.length % 4)) % 4;
  if (pad) {
    const j = new Uint8Array(json.length + pad).fill(0x20);
    j.set(json);
    json = j;
  }
  const out = new Uint8Array(8 + json.length + offset * 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, json.length, true);
  out.set(json, 8);
  const floats = new Float32Array(out.buffer, 8 + json.length, offset);
  chunks.forEach((c, i) => floats.set(c.data, tensors[i].offset));
  return out;
}

export interface DecodedCheckpoint<E> {
  header: CheckpointHeader<E>;
  data: Map<string, Float32Array>;
}

export function decodeCheckpoint<E>(buf: Uint8Array, file: string): DecodedCheckpoint<E> {
  if (buf.length < 8) throw new CheckpointError(`${file}: too short to be a checkpoint`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) throw new CheckpointError(`${file}: not a darknet-pruner checkpoint (no DPCK magic)`);
  const len = dv.getUint32(4, true);
  let header: CheckpointHeader<E>;
  try {
    header = JSON.parse(new TextDecoder().decode(buf.subarray(8, 8 + len))) as CheckpointHeader<E>;
  } catch (e) {
    throw new CheckpointError(`${file}: unreadable checkpoint header: ${(e as Error).message}`);
  }
  if (header.version !== 1) throw new CheckpointError(`${file}: checkpoint version ${String(header.version)} is not supported`);
  const total = header.tensors.reduce((s, t) => Math.max(s, t.offset + t.length), 0);
  if (buf.length !== 8 + len + total * 4)
    throw new CheckpointError(`${file}: ${buf.length} bytes, the header describes ${8 + len + total * 4} (truncated or corrupt)`);
  // A copy (a Node Buffer's slice is a view into a larger pool): aligned, and only the data.
  const floats = new Float32Array(new Uint8Array(buf.subarray(8 + len)).buffer);
  const data = new Map<string, Float32Array>();
  for (const t of header.tensors) data.set(t.key, floats.subarray(t.offset, t.offset + t.length));
  return { header, data };
}

/** Loads the model variables from a checkpoint (same cfg). */
export function restoreModel(model: DarknetModel, ck: DecodedCheckpoint<unknown>, file: string): void {
  for (const v of model.allVariables()) {
    const d = ck.data.get(variableKey(v));
    if (!d || d.length !== v.size)
      throw new CheckpointError(`${file}: no ${v.size} values for ${variableKey(v)} (checkpoint of another cfg?)`);
    tf.tidy(() => v.assign(tf.tensor(d, v.shape)));
  }
}

/** The optimiser state stored in a checkpoint, keyed by the model's variable names. */
export function optimizerStateOf(model: DarknetModel, ck: DecodedCheckpoint<unknown>): OptimizerState {
  const buffers: OptimizerState['buffers'] = {};
  for (const v of model.trainableVariables()) {
    const k = variableKey(v);
    const u = ck.data.get(`opt:u:${k}`);
    if (u) buffers[v.name] = { u, m: ck.data.get(`opt:m:${k}`), v: ck.data.get(`opt:v:${k}`) };
  }
  return { buffers, t: ck.header.adamT };
}
