// Which way of writing Mish runs fastest on each runtime: the Mish op, x·tanh(softplus x), or the exp
// form x·n/(n+2), n = eˣ(eˣ+2) — all exact (test/openvino/mish-forms.test.ts; test/export for
// onnxruntime). YOLOv4 (Mish in 72 of its convolutions) at 256×256, random weights, batch 1, f32,
// latency mode; the three forms measured interleaved in one process per runtime (OpenVINO and
// onnxruntime never share one here). The default per runtime is MISH_DEFAULT (core/src/bench/runners.ts).
// BENCH_ITERATIONS (default 12) per form.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseText } from '../core/src/cfg/analyse';
import { synthesizeWeights } from '../core/src/weights/synth';
import { serializeWeights } from '../core/src/weights/write';
import { resolveModels } from '../core/src/bench/models';
import { createRunner, MISH_DEFAULT, type BenchRuntime } from '../core/src/bench/runners';
import { measureInterleaved } from '../core/src/bench/interleave';
import { machineInfo } from '../core/src/bench/machine';

const CORPUS = process.env.DARKNET_CORPUS ?? join(__dirname, '..', '..', 'shared', 'corpus');
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 12);
const SIZE = { width: 256, height: 256 };
const FORMS = ['op', 'softplus', 'exp'] as const;

/** Child: one runtime, the three forms interleaved; prints one JSON line. */
async function child(runtime: BenchRuntime, cfg: string): Promise<void> {
  const [spec] = resolveModels([cfg], SIZE);
  const runners = [];
  for (const mish of FORMS)
    runners.push(
      await createRunner({ ...spec, label: mish }, { runtime, device: 'CPU', hint: 'latency', precision: 'f32', size: SIZE, mish }),
    );
  const m = await measureInterleaved(runners, { iterations: ITERATIONS, warmup: 2, rounds: Math.min(6, ITERATIONS) });
  for (const r of runners) await r.dispose();
  console.log(
    JSON.stringify({
      runtime,
      load: machineInfo().loadAverage,
      forms: m.map((x) => ({
        form: x.runner.spec.label,
        median: x.latency.medianMs,
        p90: x.latency.p90Ms,
        min: x.latency.minMs,
        n: x.latency.iterations,
      })),
    }),
  );
}

function main(): void {
  const probe = spawnSync(process.execPath, ['-e', "require('openvino-node').addon.getOpenvinoVersion()"], {
    encoding: 'utf8',
    cwd: join(__dirname, '..'),
  });
  const runtimes: BenchRuntime[] = probe.status === 0 ? ['openvino', 'onnxruntime'] : ['onnxruntime'];
  if (probe.status !== 0) console.log('OpenVINO skipped: openvino-node does not load; enable with: npm run setup:openvino');
  const dir = mkdtempSync(join(tmpdir(), 'dp-bench-mish-'));
  try {
    const text = readFileSync(join(CORPUS, 'cfg', 'yolov4.cfg'), 'utf8');
    const cfg = join(dir, 'yolov4.cfg');
    writeFileSync(cfg, text);
    const net = analyseText(text, SIZE);
    writeFileSync(join(dir, 'yolov4.weights'), serializeWeights(net, synthesizeWeights(net)));
    console.log(
      `yolov4 ${SIZE.width}×${SIZE.height} (${net.totals.bflops.toFixed(1)} BFLOPs), ${ITERATIONS} iterations per form; ${machineInfo().cpu}, ${machineInfo().logicalCpus} logical CPUs`,
    );
    for (const runtime of runtimes) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', runtime, cfg], {
        encoding: 'utf8',
        maxBuffer: 16 << 20,
      });
      if (r.status !== 0) {
        console.log(`${runtime}: failed: ${r.stderr.trim().split('\n').pop()}`);
        continue;
      }
      const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
        load: number[];
        forms: { form: string; median: number; p90: number; min: number; n: number }[];
      };
      const best = [...res.forms].sort((a, b) => a.median - b.median)[0];
      const def = MISH_DEFAULT[runtime as 'openvino' | 'onnxruntime'];
      console.log(
        `${runtime} (load ${res.load.join(' ')}): ${res.forms.map((f) => `${f.form} median ${f.median.toFixed(0)} ms (min ${f.min.toFixed(0)})`).join('; ')} → fastest ${best.form}; default ${def}${best.form === def ? '' : ' (differs: see docs/openvino.md)'}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') void child(process.argv[3] as BenchRuntime, process.argv[4]);
else main();
