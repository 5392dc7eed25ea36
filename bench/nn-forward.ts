// Forward-pass speed of the tfjs network on the golden nets, per backend available here
// (median of 3 after one warm-up). Not a test: figures only.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../core/src/cfg/analyse';
import { synthesizeInput, synthesizeWeights } from '../core/src/weights/synth';
import { probe, selectBackend, type Preference } from '../core/src/nn/backend';
import { buildNetwork, chwToNHWC } from '../core/src/nn/model';

const GOLDEN = join(__dirname, '..', '..', 'shared', 'corpus', 'golden');
const NETS = ['yolov4-tiny', 'yolov3-tiny', 'yolov4-tiny-3l', 'yolov4-128', 'yolov3-spp-128', 'yolov4-csp-128'];

async function main() {
  const backends: Preference[] = [];
  if ((await probe('tensorflow')).available) backends.push('tensorflow');
  backends.push('wasm');
  for (const b of backends) {
    const choice = await selectBackend({ purpose: 'infer', prefer: b });
    console.log(`backend ${choice.name}: ${choice.reason}`);
    for (const g of NETS) {
      const net = analyseText(readFileSync(join(GOLDEN, g, `${g}.cfg`), 'utf8'));
      const model = buildNetwork(net, synthesizeWeights(net), { trainable: false });
      const x = chwToNHWC(synthesizeInput(net.net.width, net.net.height, 3), net.net.width, net.net.height, 3);
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        const t0 = performance.now();
        const outs = model.forward(x);
        for (const t of outs.values()) {
          await t.data();
          t.dispose();
        }
        if (i > 0) times.push(performance.now() - t0);
      }
      times.sort((a, c) => a - c);
      console.log(
        `  ${g.padEnd(16)} ${net.net.width}×${net.net.height}  ${net.totals.bflops.toFixed(3)} BFLOPs  forward ${times[1].toFixed(0)} ms  (${((net.totals.bflops / times[1]) * 1000).toFixed(1)} GFLOP/s)`,
      );
      x.dispose();
      model.dispose();
    }
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
