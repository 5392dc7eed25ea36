// A tfjs network in memory as an evaluation source: its forward pass in inference mode (rolling
// statistics), heads in darknet's layout. Used by `eval`/`detect` (sources.ts) and by training's
// per-epoch validation.

import type { Network } from '../cfg/network';
import { darknetLayout } from '../nn/heads';
import { chwToNHWC, type DarknetModel } from '../nn/model';
import type { HeadSource } from './evaluate';

/** `model` as an evaluation source; disposing the source leaves the model to its owner. */
export function modelSource(net: Network, model: DarknetModel, description: string): HeadSource {
  const { width: W, height: H, channels: C } = net.net;
  return {
    description,
    async run(input) {
      const x = chwToNHWC(input, W, H, C);
      const outs = model.forward(x);
      x.dispose();
      const res = new Map<number, Float32Array>();
      for (const [i, t] of outs) {
        res.set(i, darknetLayout(net.layers[i], (await t.data()) as Float32Array, t.shape));
        t.dispose();
      }
      return res;
    },
    dispose: () => undefined,
  };
}
