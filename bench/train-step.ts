// Training throughput of the darknet trainer (core/src/train/trainer.ts: forward in training mode,
// darknet's yolo deltas, BN backward as darknet's, SGD step) in images/s, on the tiny
// yolov3-tiny-like cfg of test/train (64×64, two heads) and on a 416×416 yolov3-tiny from the
// corpus, per backend available (native TensorFlow, wasm).
// Usage: node --import tsx bench/train-step.ts [--batch 4] [--steps 5] [--backend tensorflow|wasm]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseText } from '../core/src/cfg/analyse';
import { selectBackend, describeChoice, type Preference } from '../core/src/nn/backend';
import { buildNetwork } from '../core/src/nn/model';
import { synthesizeWeights, XorShift32 } from '../core/src/weights/synth';
import { Trainer } from '../core/src/train/trainer';
import { trainSettings } from '../core/src/train/lr-policy';
import { tinyCfg } from '../test/train/darknet-fixture';
import { CORPUS } from '../test/corpus';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const BATCH = Number(arg('batch', '4')),
  STEPS = Number(arg('steps', '5'));

async function bench(name: string, cfgText: string): Promise<void> {
  const net = analyseText(cfgText.replace(/^batch=.*$/m, `batch=${BATCH}`).replace(/^subdivisions=.*$/m, 'subdivisions=1'));
  const model = buildNetwork(net, synthesizeWeights(net), { darknetBackward: true });
  const s = trainSettings(net);
  s.batch = BATCH;
  s.subdivisions = 1;
  const trainer = new Trainer(model, net, { settings: s });
  const { width: W, height: H, channels: C } = net.net;
  const images = new Float32Array(BATCH * W * H * C);
  new XorShift32(5).fill(images, 0, 1);
  const boxes = Array.from({ length: BATCH }, (_, i) => [
    { cls: 0, x: 0.3 + (0.1 * i) / BATCH, y: 0.5, w: 0.3, h: 0.4 },
    { cls: 1 % net.layers.find((l) => l.type === 'yolo')!.attrs.classes!, x: 0.7, y: 0.3, w: 0.2, h: 0.2 },
  ]);
  trainer.step({ images, boxes }); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) trainer.step({ images, boxes });
  const ms = (performance.now() - t0) / STEPS;
  console.log(`${name.padEnd(34)} batch ${BATCH}: ${ms.toFixed(0)} ms/step, ${((BATCH * 1000) / ms).toFixed(2)} images/s`);
  trainer.dispose();
  model.dispose();
}

void (async () => {
  const prefer = process.argv.includes('--backend') ? (arg('backend', 'tensorflow') as Preference) : undefined;
  const choice = await selectBackend({ purpose: 'train', prefer });
  console.log(`tfjs ${describeChoice(choice)}`);
  await bench('tiny fixture (64×64, 2 heads)', tinyCfg());
  await bench('yolov3-tiny 416×416 (corpus)', readFileSync(join(CORPUS, 'cfg', 'yolov3-tiny.cfg'), 'utf8'));
})();
