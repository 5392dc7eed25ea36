// `darknet-pruner env` → the readable document "Darknet: Show Runtime Status" opens: the TensorFlow.js
// backends (versions, GPU, why each is usable or not), which one training and inference would use
// and why the others were skipped, and the other runtimes (ONNX Runtime, OpenVINO).
// No `vscode` import, so tests can load it.

import type { EnvJobResult } from '../../../core/src/protocol/jobs';

const cell = (s: string | number | boolean | null | undefined) =>
  String(s ?? '—')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
const mark = (ok: boolean) => (ok ? '✔' : '✘');

function choice(purpose: string, c: EnvJobResult['train']): string[] {
  if ('error' in c) return [`**${purpose}:** none — ${c.error}`, ''];
  const lines = [`**${purpose}:** \`${c.name}\` (${c.package} ${c.version}${c.gpu ? ', GPU' : ''}) — ${c.reason}`];
  for (const s of c.skipped) lines.push(`- skipped \`${s.name}\`: ${s.why}`);
  return [...lines, ''];
}

export function runtimeStatusMarkdown(r: EnvJobResult, when: Date = new Date()): string {
  const out = [
    '# Darknet Pruner: runtime status',
    '',
    `What \`darknet-pruner env\` found on ${when.toISOString().replace('T', ' ').slice(0, 19)} UTC, run as a job with Node ${r.node}` +
      `${r.darknetBackend ? ` and DARKNET_BACKEND=${r.darknetBackend}` : ''}. Jobs load these runtimes; the editor itself never does.`,
    '',
    '## Backend for each job',
    '',
    ...choice('Training', r.train),
    ...choice('Inference (detect, eval, forward)', r.infer),
    '## TensorFlow.js backends (best first)',
    '',
    '| | backend | package | version | GPU | why |',
    '|---|---|---|---|---|---|',
    ...r.tfjsBackends.map((b) => {
      const facts = Object.entries(b.details)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return `| ${mark(b.available)} | ${cell(b.name)} | ${cell(b.package)} | ${cell(b.version ?? 'not installed')} | ${b.gpu ? 'yes' : 'no'} | ${cell(b.why)}${facts ? ` (${cell(facts)})` : ''} |`;
    }),
    '',
    '## Other runtimes',
    '',
    '| | runtime | version | details |',
    '|---|---|---|---|',
    ...r.runtimes.map(
      (x) => `| ${mark(x.loadable)} | ${cell(x.name)} | ${cell(x.version ?? (x.installed ? '?' : 'not installed'))} | ${cell(x.detail)} |`,
    ),
    '',
    'Native TensorFlow: `npm run setup:tensorflow` (see the README); OpenVINO: `npm run setup:openvino`. Choose the Node.js that runs jobs with the `darknet.pruner.nodePath` setting.',
    '',
  ];
  return out.join('\n');
}

/** When `env` itself cannot run (in an installed extension: no TensorFlow.js beside its CLI). */
export function runtimeStatusFailureMarkdown(error: string, when: Date = new Date()): string {
  const missing = /needs the package ([^\s,]+)/.exec(error)?.[1];
  return [
    '# Darknet Pruner: runtime status',
    '',
    `\`darknet-pruner env\` could not run on ${when.toISOString().replace('T', ' ').slice(0, 19)} UTC:`,
    '',
    `> ${error.replace(/\r?\n/g, ' ')}`,
    '',
    ...(missing
      ? [
          `The extension's command line has no \`${missing}\` beside it: the .vsix ships the cfg, weights and pruning commands, not the ML runtimes. ` +
            'Until the extension can install them, run `npx darknet-pruner env` (and the detection, evaluation, export and training commands) from a checkout after `npm install`.',
          '',
        ]
      : []),
    'The job log (**Darknet: Show Job Log**) has the whole output.',
    '',
  ].join('\n');
}
