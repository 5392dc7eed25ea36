// Whether a runtime in a folder works: loaded from that folder alone, in a child process (one native
// runtime per process, docs/runtimes.md §One native runtime per process), and asked to compute.

import { spawn } from 'node:child_process';
import type { RuntimeId } from './pins';

// Each check: `r(pkg)` requires the package from the folder only; the value printed is the detail.
const CHECKS: Record<RuntimeId, string> = {
  tfjs: `const tf = r('@tensorflow/tfjs-core'); r('@tensorflow/tfjs-backend-cpu'); r('@tensorflow/tfjs-backend-wasm');
    tf.setBackend('cpu'); const y = tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).dataSync().join();
    if (y !== '4,6') throw new Error('cpu backend gave ' + y); return 'tfjs-core ' + tf.version_core + ', cpu and wasm backends load';`,
  'onnxruntime-node': `const ort = r('onnxruntime-node'); const b = ort.listSupportedBackends().map((x) => x.name);
    if (!b.includes('cpu')) throw new Error('no cpu execution provider (' + b.join(', ') + ')');
    return 'onnxruntime ' + ort.env.versions.common + ', execution providers ' + b.join(', ');`,
  'tfjs-node': `process.env.TF_CPP_MIN_LOG_LEVEL = '2'; const tf = r('@tensorflow/tfjs-node');
    if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend());
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]), w = tf.tensor4d([1, 1, 1, 1], [2, 2, 1, 1]);
    const y = tf.conv2d(x, w, 1, 'valid').dataSync()[0]; if (y !== 10) throw new Error('conv2d gave ' + y);
    return 'TensorFlow ' + tf.backend().binding.TF_Version + ", backend 'tensorflow' computes";`,
  'openvino-node': `const { addon: ov } = r('openvino-node'); const d = new ov.Core().getAvailableDevices();
    if (!d.includes('CPU')) throw new Error('no CPU device (' + d.join(', ') + ')');
    return 'OpenVINO ' + ov.getOpenvinoVersion().buildNumber + ', devices ' + d.join(', ') + ', addon ' + (ov.darknetPrunerBuild ? 'ours (native/openvino)' : 'official');`,
};

/** Loads and exercises `id` from `dir`/node_modules: its detail line, or an Error saying why not. */
export function verifyRuntime(id: RuntimeId, dir: string): Promise<string> {
  const code = `const r = (p) => require(require.resolve(p, { paths: [${JSON.stringify(dir)}] }));
    try { const detail = (() => { ${CHECKS[id]} })(); process.stdout.write(JSON.stringify({ ok: true, detail })); }
    catch (e) { process.stdout.write(JSON.stringify({ ok: false, detail: String((e && e.message) || e).split('\\n')[0] })); }`;
  return new Promise((resolve, reject) => {
    // NODE_PATH emptied: nothing outside the folder may answer for it
    const env = { ...process.env, NODE_PATH: '', ELECTRON_RUN_AS_NODE: '1' };
    const child = spawn(process.execPath, ['-e', code], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString('utf8')).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      try {
        const o = JSON.parse(out) as { ok: boolean; detail: string };
        if (o.ok) resolve(o.detail);
        else reject(new Error(o.detail));
      } catch {
        reject(
          new Error(
            `the check process ${signal ? `was killed by ${signal}` : `exited with ${code}`}: ${err.trim().split('\n').pop() ?? ''}`,
          ),
        );
      }
    });
  });
}
