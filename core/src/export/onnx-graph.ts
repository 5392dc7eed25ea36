// A small ONNX graph builder over onnx-proto's generated protobuf classes: named values, nodes,
// float/int64 initializers stored as little-endian raw_data, and the final ModelProto encoding.

import { onnx } from 'onnx-proto';
import type { Layer } from '../cfg/network';
import { UserError } from '../errors';

/** A layer (or option) the export cannot express, with where it is. */
export class OnnxExportError extends UserError {
  constructor(
    message: string,
    readonly layer?: Layer,
  ) {
    super(layer ? `layer ${layer.index} [${layer.section.name}] (line ${layer.section.line + 1}): ${message}` : message);
  }
}

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

/** IR version that goes with an opset, per the ONNX project's versioning table
 * (docs/onnx-export.md §Opset and IR version). */
export function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

/** Attribute values: integers as numbers, floats as `{ f }`, lists as arrays (ints) or `{ floats }`. */
export type AttrValue = number | number[] | string | { f: number } | { floats: number[] };

export interface Dim {
  value?: number;
  param?: string;
}

function leBytes(data: Float32Array | BigInt64Array): Uint8Array {
  // Typed arrays are host-endian; every platform Node runs on here is little-endian, but do not assume it.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  data.forEach((v: number | bigint, i: number) => {
    if (typeof v === 'bigint') dv.setBigInt64(i * 8, v, true);
    else dv.setFloat32(i * 4, v, true);
  });
  return out;
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer (wrap floats as { f })`);
    return { name, type: T.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('f' in v) return { name, type: T.FLOAT, f: v.f };
  return { name, type: T.FLOATS, floats: v.floats };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  /** A fresh value name starting with `base`. */
  name(base: string): string {
    let n = base;
    while (this.used.has(n)) n = `${base}_${++this.counter}`;
    this.used.add(n);
    return n;
  }

  input(name: string, dims: Dim[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  output(name: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** Add a node; returns its output names (`outputs` are bases for fresh names unless `exact`). */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, AttrValue | undefined> = {},
    outBase = op.toLowerCase(),
    nOut = 1,
    exact = false,
  ): string[] {
    const outs = exact ? [outBase] : Array.from({ length: nOut }, () => this.name(outBase));
    if (exact) this.used.add(outBase);
    const attribute_ = Object.entries(attrs)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => attribute(k, v!));
    this.nodes.push({ opType: op, input: inputs, output: outs, name: `${outs[0]}/${op}`, attribute: attribute_ });
    return outs;
  }

  /** One-output node. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue | undefined> = {}, outBase?: string): string {
    return this.node(op, inputs, attrs, outBase ?? op.toLowerCase())[0];
  }

  floatTensor(base: string, data: Float32Array, dims: number[]): string {
    const name = this.name(base);
    this.initializers.push({ name, dataType: FLOAT, dims, rawData: leBytes(data) });
    return name;
  }

  int64Tensor(base: string, values: number[], dims = [values.length]): string {
    const name = this.name(base);
    this.initializers.push({ name, dataType: INT64, dims, rawData: leBytes(BigInt64Array.from(values.map((v) => BigInt(v)))) });
    return name;
  }

  /** Shared small constants (shapes, scalars), deduplicated by value. */
  ints(values: number[]): string {
    const key = `i:${values.join(',')}`;
    let n = this.constCache.get(key);
    if (!n) {
      n = this.int64Tensor('const_i64', values);
      this.constCache.set(key, n);
    }
    return n;
  }

  scalar(v: number, dims: number[] = []): string {
    const key = `f:${Math.fround(v)}:${dims.join(',')}`;
    let n = this.constCache.get(key);
    if (!n) {
      n = this.floatTensor('const_f32', new Float32Array([v]), dims);
      this.constCache.set(key, n);
    }
    return n;
  }

  encode(opts: {
    opset: number;
    producer: string;
    version: string;
    graphName: string;
    doc?: string;
    metadata?: Record<string, string>;
  }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: irVersionFor(opts.opset),
      opsetImport: [{ domain: '', version: opts.opset }],
      producerName: opts.producer,
      producerVersion: opts.version,
      docString: opts.doc,
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: { name: opts.graphName, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  get nodeCount(): number {
    return this.nodes.length;
  }
}

function valueInfo(name: string, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (d.param !== undefined ? { dimParam: d.param } : { dimValue: d.value })) },
      },
    },
  };
}
