// Webview messages, both sides: the host's validator (parseViewMessage) accepts every message of
// the ViewToHost union the panels post — the table below must name each member, so a new member
// without validation fails here — and rejects anything malformed before the host acts on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseViewMessage, TRAINING_ACTIONS, type ViewToHost } from '../../webviews/src/shared/protocol';

const samples: { [T in ViewToHost['type']]: Extract<ViewToHost, { type: T }>[] } = {
  ready: [{ type: 'ready' }],
  percent: [
    { type: 'percent', percent: 0, layerKeep: 0 },
    { type: 'percent', percent: 0.99, layerKeep: 1 },
  ],
  prune: [{ type: 'prune', percent: 0.5, layerKeep: 0.01 }],
  open: [
    { type: 'open', target: 'prunedCfg' },
    { type: 'open', target: 'originalCfg' },
  ],
  compare: [{ type: 'compare' }],
  reveal: [
    { type: 'reveal', index: 0 },
    { type: 'reveal', index: 161 },
  ],
  training: TRAINING_ACTIONS.map((action) => ({ type: 'training' as const, action })),
  benchRun: [
    { type: 'benchRun', id: '2026-11-30T03-01-02-345Z.json' },
    { type: 'benchRun', id: '2026-11-30T03-01-02-345Z-2.json' },
  ],
};

test("every message a panel posts passes the host's validation unchanged (after a structured clone)", () => {
  for (const list of Object.values(samples)) {
    for (const m of list) assert.deepEqual(parseViewMessage(structuredClone(m)), m);
  }
});

test('malformed messages are dropped', () => {
  const bad: unknown[] = [
    undefined,
    null,
    'ready',
    42,
    {},
    { type: 'unknown' },
    { type: 'percent', percent: 1, layerKeep: 0.01 },
    { type: 'percent', percent: -0.1, layerKeep: 0.01 },
    { type: 'percent', percent: Number.NaN, layerKeep: 0 },
    { type: 'prune', percent: 0.5, layerKeep: 1.5 },
    { type: 'prune', percent: '0.5', layerKeep: 0.01 },
    { type: 'prune', percent: 0.5 },
    { type: 'open', target: '/etc/passwd' },
    { type: 'open' },
    { type: 'benchRun' },
    { type: 'benchRun', id: '../x.json' },
    { type: 'benchRun', id: '/etc/passwd' },
    { type: 'benchRun', id: '.hidden.json' },
    { type: 'benchRun', id: 'a/b.json' },
    { type: 'benchRun', id: 'run.txt' },
    { type: 'reveal' },
    { type: 'reveal', index: -1 },
    { type: 'reveal', index: 1.5 },
    { type: 'reveal', index: '3' },
    { type: 'training' },
    { type: 'training', action: 'delete' },
    { type: 'training', action: ['stop'] },
  ];
  for (const m of bad) assert.equal(parseViewMessage(m), undefined, JSON.stringify(m));
});

test('extra fields do not reach the host', () => {
  assert.deepEqual(parseViewMessage({ type: 'open', target: 'prunedCfg', path: '/etc/passwd' }), { type: 'open', target: 'prunedCfg' });
  assert.deepEqual(parseViewMessage({ type: 'ready', html: '<script>' }), { type: 'ready' });
});
