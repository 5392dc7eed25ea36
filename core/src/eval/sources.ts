// Head sources for evaluation: the tfjs network (nn/) or onnxruntime-node on our ONNX export. Each
// runtime is imported lazily, so choosing one never loads the other.

import type { Network } from '../cfg/network';
import { decoderOfType } from '../layers';
import type { DarknetWeights } from '../weights/read';
import type { HeadSource } from './evaluate';

/** tfjs forward (backend chosen by nn/backend.ts, or `prefer`), heads in darknet's layout. */
export async function tfjsSource(net: Network, weights: DarknetWeights, prefer?: 'wasm' | 'cpu' | 'tensorflow'): Promise<HeadSource> {
  const { selectBackend, describeChoice } = await import('../nn/backend');
  const { buildNetwork, chwToNHWC } = await import('../nn/model');
  const { darknetLayout } = await import('../nn/heads');
  const choice = await selectBackend({ purpose: 'infer', prefer });
  const model = buildNetwork(net, weights, { trainable: false });
  const { width: W, height: H, channels: C } = net.net;
  return {
    description: `tfjs ${describeChoice(choice)}`,
    async run(input) {
      const x = chwToNHWC(input, W, H, C);
      const outs = model.forward(x);
      x.dispose();
      const res = new Map<number, Float32Array>();
      for (const [i, t] of outs) {
        res.set(i, darknetLayout(net.layers[i], await t.data() as Float32Array, t.shape));
        t.dispose();
      }
      return res;
    },
    dispose: () => model.dispose(),
  };
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
