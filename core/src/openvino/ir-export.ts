// OpenVINO IR (.xml + .bin) of an analysed network: our ONNX export's graph (same heads, same names,
// batch 1) read by OpenVINO's ONNX frontend and written with saveModelSync, weights optionally
// compressed to f16. The layer → head mapping goes into a JSON side file (IrHeadsFile).

import type { Network } from '../cfg/network';
import type { DarknetWeights } from '../weights/read';
import { exportOnnx, type HeadInfo, type OnnxOutput } from '../export/onnx';
import type { MishForm } from '../export/onnx-ops';
import { loadOpenvino } from './api';

export interface IrExportOptions {
  /** Compress the weights to f16 in the .bin (OpenVINO's compress_to_fp16; compute stays f32 unless hinted). */
  fp16?: boolean;
  mish?: MishForm;
}

/** The side file `<name>.heads.json` beside the IR: what each output is. */
export interface IrHeadsFile {
  format: 'openvino-ir';
  xml: string;
  bin: string;
  weights: 'f32' | 'f16';
  openvino: string;
  input: { name: string; shape: number[]; layout: 'NCHW'; color: 'RGB'; range: '0..1'; letterbox: boolean };
  outputs: OnnxOutput[];
  heads: HeadInfo[];
  source: { cfg: string; weights: string };
}

export interface IrExport {
  heads: HeadInfo[];
  outputs: OnnxOutput[];
  input: { name: string; shape: number[] };
  nodes: number;
  /** Writes the .xml and its .bin at `xmlPath` (the .bin beside it, same base name). */
  save(xmlPath: string): void;
  openvinoVersion: string;
}

export function exportOpenvinoIr(net: Network, weights: DarknetWeights, o: IrExportOptions = {}): IrExport {
  const onnx = exportOnnx(net, weights, { batch: 1, mish: o.mish });
  const { ov } = loadOpenvino();
  const core = new ov.Core();
  const model = core.readModelSync(onnx.bytes);
  return {
    heads: onnx.heads,
    outputs: onnx.outputs,
    input: onnx.input,
    nodes: onnx.nodes,
    openvinoVersion: ov.getOpenvinoVersion().buildNumber,
    save: (xmlPath) => ov.saveModelSync(model, xmlPath, o.fp16 ?? false),
  };
}
