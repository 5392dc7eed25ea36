// Head sources for evaluation and detection: the tfjs network (nn/), onnxruntime-node or OpenVINO on
// our ONNX export. Each runtime is imported lazily, so choosing one never loads the other.

import type { Network } from '../cfg/network';
import { decoderOfType } from '../layers';
import type { DarknetWeights } from '../weights/read';
import type { HeadSource } from './evaluate';

/** tfjs forward (backend chosen by nn/backend.ts, or `prefer`), heads in darknet's layout. */
export async function tfjsSource(net: Network, weights: DarknetWeights, prefer?: 'wasm' | 'cpu' | 'tensorflow'): Promise<HeadSource> {
  const { selectBackend, describeChoice } = await import('../nn/backend');
  const { buildNetwork } = await import('../nn/model');
  const { modelSource } = await import('./model-source');
  const choice = await selectBackend({ purpose: 'infer', prefer });
  const model = buildNetwork(net, weights, { trainable: false });
  return { ...modelSource(net, model, `tfjs ${describeChoice(choice)}`), dispose: () => model.dispose() };
}

/** Our ONNX export run by onnxruntime-node; the yolo activation is applied in JS. Mish uses the exp form (same values, ≈ 4× faster in onnxruntime than its Softplus expansion). */
export async function onnxSource(net: Network, weights: DarknetWeights): Promise<HeadSource> {
  const { exportOnnx } = await import('../export/onnx');
  const { createOrtSession } = await import('../export/ort');
  const { activateHeadBuffer } = await import('../export/head-activation');
  const ex = exportOnnx(net, weights, { mish: 'exp' });
  const region = ex.heads.find((h) => decoderOfType(h.type) === 'region');
  if (region) throw new Error(`layer ${region.layer}: [region] heads are evaluated with the tfjs runtime only`);
  const session = await createOrtSession(ex.bytes);
  const { width: W, height: H, channels: C } = net.net;
  return {
    description: 'onnxruntime-node (CPU) on the ONNX export',
    async run(input) {
      const out = await session.run(input, [1, C, H, W]);
      return new Map(ex.heads.map((h) => [h.layer, activateHeadBuffer(out[h.output].data, h)]));
    },
    dispose: () => session.release(),
  };
}

/** Our ONNX export compiled by OpenVINO (openvino-node, official or ours); activation in JS as for onnx. Mish stays the Mish op (OpenVINO has a native kernel). */
export async function openvinoSource(
  net: Network,
  weights: DarknetWeights,
  opts: { device?: string; precision?: 'f32' | 'bf16' | 'fp16' } = {},
): Promise<HeadSource> {
  const { exportOnnx } = await import('../export/onnx');
  const { compileOpenvino } = await import('../openvino/runtime');
  const { loadOpenvino } = await import('../openvino/api');
  const { activateHeadBuffer } = await import('../export/head-activation');
  const ex = exportOnnx(net, weights, { batch: 1 });
  const region = ex.heads.find((h) => decoderOfType(h.type) === 'region');
  if (region) throw new Error(`layer ${region.layer}: [region] heads are evaluated with the tfjs runtime only`);
  const { build } = loadOpenvino();
  const runner = compileOpenvino(ex.bytes, { device: opts.device ?? 'CPU', precision: opts.precision ?? 'f32', hint: 'latency' });
  return {
    description: `OpenVINO ${runner.settings.device} (${build === 'ours' ? 'our addon' : 'official openvino-node'}), ${runner.settings.precision} on the ONNX export`,
    async run(input) {
      const out = runner.run(input);
      return new Map(ex.heads.map((h) => [h.layer, activateHeadBuffer(out[h.output], h)]));
    },
    dispose: () => undefined,
  };
}
