// Memory of `eval` on a 500-image set at 416: the loop streams (one decoded image at a time), so peak
// RSS should stay far below what holding the images would take (500 × 416·416·3 float32 ≈ 1 GB).
// Writes a synthetic darknet-layout dataset (JPEG images of random rectangles + YOLO labels) to a
// temp dir, evaluates yolov4-tiny (synthetic weights) with onnxruntime-node, samples memory per image.
// Usage: node --import tsx bench/eval-memory.ts [--images 500] [--size 416]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as jpeg from 'jpeg-js';
import { analyseText } from '../core/src/cfg/analyse';
import { synthesizeWeights, XorShift32 } from '../core/src/weights/synth';
import { readImageList } from '../core/src/eval/dataset';
import { evaluate } from '../core/src/eval/evaluate';
import { onnxSource } from '../core/src/eval/sources';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('images', 500),
  SIZE = arg('size', 416);
const CFG = resolve(__dirname, '..', '..', 'shared', 'corpus', 'cfg', 'yolov4-tiny.cfg');
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'dp-evalmem-'));
  try {
    mkdirSync(join(dir, 'images'));
    mkdirSync(join(dir, 'labels'));
    const rng = new XorShift32(777);
    const list: string[] = [];
    for (let i = 0; i < N; i++) {
      const w = 480 + (i % 5) * 40,
        h = 360 + (i % 3) * 60;
      const data = Buffer.alloc(w * h * 4, 255);
      const labels: string[] = [];
      for (let k = 0; k < 3; k++) {
        const bw = 40 + (rng.next() % 160),
          bh = 40 + (rng.next() % 160),
          x0 = rng.next() % (w - bw),
          y0 = rng.next() % (h - bh),
          c = rng.next() % 80;
        for (let y = y0; y < y0 + bh; y++)
          for (let x = x0; x < x0 + bw; x++) {
            const p = 4 * (y * w + x);
            data[p] = c * 3;
            data[p + 1] = 255 - c * 3;
            data[p + 2] = (c * 7) % 256;
          }
        labels.push(`${c} ${(x0 + bw / 2) / w} ${(y0 + bh / 2) / h} ${bw / w} ${bh / h}`);
      }
      const file = join(dir, 'images', `${i}.jpg`);
      writeFileSync(file, jpeg.encode({ data, width: w, height: h }, 85).data);
      writeFileSync(join(dir, 'labels', `${i}.txt`), labels.join('\n'));
      list.push(file);
    }
    writeFileSync(join(dir, 'valid.txt'), list.join('\n'));
    const net = analyseText(readFileSync(CFG, 'utf8'), { width: SIZE, height: SIZE });
    const source = await onnxSource(net, synthesizeWeights(net));
    global.gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss,
      peakHeap = base.heapUsed;
    const report = await evaluate(net, source, readImageList(join(dir, 'valid.txt'), dir), 80, {
      conf: 0.001,
      nmsIou: 0.5,
      nms: 'merge',
      onImage: (done) => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
        if (done % 100 === 0) console.log(`  ${done}/${N}: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}`);
      },
    });
    await source.dispose();
    const allImages = N * SIZE * SIZE * 3 * 4;
    console.log(
      `${N} images at ${SIZE} (yolov4-tiny, onnxruntime-node): ${report.ms.perImage.toFixed(0)} ms/image, ${report.predictions} predictions kept`,
    );
    console.log(
      `RSS before ${mb(base.rss)} → peak ${mb(peakRss)}; JS heap before ${mb(base.heapUsed)} → peak ${mb(peakHeap)}; holding every network input would take ${mb(allImages)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
