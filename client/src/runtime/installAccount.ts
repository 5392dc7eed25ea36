// What Install ML Runtimes offers and says, without `vscode` (tests load it): the choices of the
// quick pick, the account of a `runtimes install` result, and which job errors it answers — those
// that name a runtime's setup command (core/src/eval/runtimes.ts) or a package the CLI lacks.

import type { RuntimesInstallJobResult } from '../../../core/src/protocol/jobs';

export interface RuntimeChoice {
  label: string;
  description: string;
  /** --only; undefined: all. */
  only?: string[];
}

export const RUNTIME_CHOICES: readonly RuntimeChoice[] = [
  {
    label: 'All ML runtimes',
    description: 'TensorFlow.js, onnxruntime-node, tfjs-node and openvino-node (native addons built from PyPI wheels)',
  },
  {
    label: 'TensorFlow.js and ONNX Runtime',
    description: 'detect, export, eval on wasm and onnxruntime: nothing to compile',
    only: ['tfjs', 'onnxruntime-node'],
  },
  {
    label: 'OpenVINO',
    description: 'openvino-node with its addon built from the openvino wheel (python3, make, g++)',
    only: ['openvino-node'],
  },
  {
    label: 'Native TensorFlow',
    description: 'tfjs-node with its own download of libtensorflow, else its binding built from the tensorflow-cpu wheel (Node ≤ 22)',
    only: ['tfjs-node'],
  },
];

/** True when a job failed because a runtime is not installed (the CLI's error names what installs it). */
export function needsRuntime(error: string | undefined): boolean {
  return (
    !!error &&
    /needs the package|to install: |npm run setup:(tensorflow|openvino)|npm install onnxruntime-node|runtimes install/.test(error)
  );
}

/** One line per runtime: its status and why. */
export function accountLines(r: RuntimesInstallJobResult): string[] {
  return r.runtimes.map((x) => `${x.runtime}: ${x.status} — ${x.detail}`);
}

/** The notification: what is now usable, and what is not (counted; the log has the reasons). */
export function accountSummary(r: RuntimesInstallJobResult): string {
  const by = (s: string[]) => r.runtimes.filter((x) => s.includes(x.status)).map((x) => x.runtime);
  const ready = by(['found', 'installed', 'built']);
  const skipped = by(['skipped']);
  const failed = by(['failed']);
  return [
    ready.length ? `ready: ${ready.join(', ')}` : 'nothing installed',
    skipped.length ? `skipped: ${skipped.join(', ')}` : '',
    failed.length ? `failed: ${failed.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
