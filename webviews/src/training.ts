// Training dashboard: a run's loss (and its box / objectness / class parts) and learning rate per
// step while its job runs and per epoch from metrics.jsonl; P, R, mAP@0.5 per epoch beside the γ
// compression (fraction of |γ| under thresholds, and the suggested prune point with the epoch where
// it stops moving); every epoch's |γ| distribution as stacked histograms (a ridgeline, as in
// TensorBoard); Stop / Resume and the pruning panels on the latest weights.
import { Chart, colors, withAlpha, type Plugin } from './shared/charts';
import { h } from './shared/dom';
import type { TrainingStepView, TrainingView, ViewToHost } from './shared/protocol';
import { el } from './shared/toolkit';
import { viewPanel } from './shared/viewPanel';

const root = document.getElementById('app')!;
const title = h('h2', { 'data-testid': 'training-title' });
const status = h('p', { 'data-testid': 'training-status', role: 'status', 'aria-live': 'polite' });
const stop = el('button', { 'data-testid': 'stop-button', appearance: 'secondary' }, 'Stop');
const resume = el('button', { 'data-testid': 'resume-button', appearance: 'primary' }, 'Resume…');
const gammaButton = el('button', { 'data-testid': 'gamma-button', appearance: 'secondary' }, 'Show γ Histogram');
const sweepButton = el('button', { 'data-testid': 'sweep-button', appearance: 'secondary' }, 'Pruning Sweep…');
const folderButton = el('button', { 'data-testid': 'folder-button', appearance: 'secondary' }, 'Reveal folder');
const settled = h('p', { 'data-testid': 'settled' });
const lossCanvas = h('canvas', { 'data-testid': 'loss-chart', role: 'img', 'aria-label': 'Loss and its parts, learning rate' });
const metricsCanvas = h('canvas', {
  'data-testid': 'metrics-chart',
  role: 'img',
  'aria-label': 'P, R, mAP@0.5 and γ compression per epoch',
});
const gammaCanvas = h('canvas', { 'data-testid': 'gamma-epochs-chart', role: 'img', 'aria-label': '|γ| distribution per epoch' });
const table = h('table', { class: 'totals', 'data-testid': 'epochs-table' });
root.append(
  title,
  status,
  h('div', { class: 'controls' }, stop, resume, gammaButton, sweepButton, folderButton),
  h('h3', {}, 'Loss'),
  h('div', { class: 'chart' }, lossCanvas),
  h('h3', {}, 'Accuracy and γ compression per epoch'),
  settled,
  h('div', { class: 'chart' }, metricsCanvas),
  h('h3', {}, '|γ| distribution per epoch'),
  h('div', { class: 'chart tall' }, gammaCanvas),
  h('h3', {}, 'Epochs'),
  table,
);

let view: TrainingView | undefined;
let lossChart: Chart<'line'> | undefined;
let metricsChart: Chart<'line'> | undefined;
let gammaChart: Chart<'line'> | undefined;

const post = (m: ViewToHost) => panel.post(m);
stop.addEventListener('click', () => post({ type: 'training', action: 'stop' }));
resume.addEventListener('click', () => post({ type: 'training', action: 'resume' }));
gammaButton.addEventListener('click', () => post({ type: 'training', action: 'showGamma' }));
sweepButton.addEventListener('click', () => post({ type: 'training', action: 'sweep' }));
folderButton.addEventListener('click', () => post({ type: 'training', action: 'openFolder' }));

const pct = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(digits)}%`;
const num = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(digits);
const setEnabled = (e: HTMLElement, on: boolean) => {
  if (on) e.removeAttribute('disabled');
  else e.setAttribute('disabled', '');
};

const KIND = { train: 'training', sparsity: 'sparsity training', finetune: 'fine-tuning' } as const;

function statusText(v: TrainingView): string {
  const epochs = `epoch ${v.epochs.length}${v.epochsTotal !== null ? ` of ${v.epochsTotal}` : ''}`;
  const step = v.steps.length ? `, iteration ${v.steps[v.steps.length - 1].step}` : '';
  return `${v.status} — ${epochs}${v.status === 'running' ? step : ''}${v.note ? ` — ${v.note}` : ''}`;
}

/** The settled epoch as a vertical line on the per-epoch chart. */
const settledLine: Plugin<'line'> = {
  id: 'settled',
  afterDatasetsDraw(c) {
    if (!view || view.settledEpoch === null) return;
    const x = c.scales.x.getPixelForValue(view.settledEpoch);
    const ctx = c.ctx;
    ctx.save();
    ctx.strokeStyle = colors().danger;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x, c.chartArea.top);
    ctx.lineTo(x, c.chartArea.bottom);
    ctx.stroke();
    ctx.fillStyle = colors().danger;
    ctx.fillText(`settled (epoch ${view.settledEpoch})`, x + 4, c.chartArea.top + 12);
    ctx.restore();
  },
};

function lossData(v: TrainingView) {
  const c = colors();
  const pts = (key: keyof TrainingStepView) =>
    v.steps.filter((s) => Number.isFinite(s[key] as number)).map((s) => ({ x: s.step, y: s[key] as number }));
  const epochPts = (key: 'loss' | 'lossBox' | 'lossObj' | 'lossCls') =>
    v.epochs.filter((e) => e[key] !== null).map((e) => ({ x: e.iteration, y: e[key] as number }));
  const line = (label: string, data: { x: number; y: number }[], color: string, extra: object = {}) => ({
    label,
    data,
    borderColor: color,
    backgroundColor: color,
    pointRadius: 0,
    borderWidth: 1.5,
    yAxisID: 'y',
    ...extra,
  });
  return [
    line('loss (per step)', pts('loss'), c.primary),
    line('box', pts('lossBox'), c.secondary),
    line('objectness', pts('lossObj'), c.ok),
    line('class', pts('lossCls'), c.muted),
    line('loss (epoch mean)', epochPts('loss'), c.primary, { pointRadius: 4, borderDash: [6, 3] }),
    line('box (epoch mean)', epochPts('lossBox'), c.secondary, { pointRadius: 3, borderDash: [6, 3] }),
    line('objectness (epoch mean)', epochPts('lossObj'), c.ok, { pointRadius: 3, borderDash: [6, 3] }),
    line('class (epoch mean)', epochPts('lossCls'), c.muted, { pointRadius: 3, borderDash: [6, 3] }),
    line('learning rate', [...pts('lr'), ...(v.steps.length ? [] : v.epochs.map((e) => ({ x: e.iteration, y: e.lr })))], c.danger, {
      yAxisID: 'lr',
      borderWidth: 1,
    }),
  ];
}

function metricsData(v: TrainingView) {
  const c = colors();
  const g = new Map(v.gamma.map((x) => [x.epoch, x]));
  const i01 = v.thresholds.indexOf(0.01);
  const line = (label: string, data: { x: number; y: number | null }[], color: string, extra: object = {}) => ({
    label,
    data,
    borderColor: color,
    backgroundColor: color,
    pointRadius: 3,
    borderWidth: 2,
    ...extra,
  });
  return [
    line(
      'mAP@0.5',
      v.epochs.map((e) => ({ x: e.epoch, y: e.map50 })),
      c.ok,
    ),
    line(
      'precision',
      v.epochs.map((e) => ({ x: e.epoch, y: e.precision })),
      c.primary,
      { borderWidth: 1 },
    ),
    line(
      'recall',
      v.epochs.map((e) => ({ x: e.epoch, y: e.recall })),
      c.secondary,
      { borderWidth: 1 },
    ),
    line(
      '|γ| < 0.01',
      v.gamma.map((x) => ({ x: x.epoch, y: x.below[i01] ?? null })),
      c.muted,
      { borderDash: [6, 3] },
    ),
    line(
      'suggested prune point (layer-emptying percent)',
      v.epochs.map((e) => ({ x: e.epoch, y: g.get(e.epoch)?.emptyingPercent ?? null })),
      c.danger,
      { borderDash: [2, 2] },
    ),
  ];
}

function gammaData(v: TrainingView) {
  // Ridgeline: epoch k's distribution drawn on the baseline k·offset, newest on top and darkest.
  const c = colors();
  const peak = v.gamma.reduce((m, g) => Math.max(m, ...g.fractions), 0) || 1;
  const offset = peak * 0.6;
  const centres = v.gammaEdges.slice(0, -1).map((e, i) => (e + v.gammaEdges[i + 1]) / 2);
  const n = v.gamma.length;
  return v.gamma.map((g, k) => ({
    label: `epoch ${g.epoch}`,
    data: g.fractions.map((f, i) => ({ x: centres[i], y: k * offset + f })),
    borderColor: withAlpha(c.primary, 0.35 + 0.65 * ((k + 1) / n)),
    backgroundColor: withAlpha(c.primary, 0.08 + 0.25 * ((k + 1) / n)),
    fill: { value: k * offset },
    pointRadius: 0,
    borderWidth: 1.5,
    tension: 0.2,
    order: n - k,
  }));
}

function drawCharts(v: TrainingView) {
  const linear = { type: 'linear' as const };
  const base = { responsive: true, maintainAspectRatio: false, parsing: false as const, normalized: true };
  if (!lossChart) {
    lossChart = new Chart(lossCanvas, {
      type: 'line',
      data: { datasets: lossData(v) },
      options: {
        ...base,
        scales: {
          x: { ...linear, title: { display: true, text: 'iteration' } },
          y: { title: { display: true, text: "loss (darknet's, per image)" }, min: 0 },
          lr: { position: 'right', title: { display: true, text: 'learning rate' }, grid: { drawOnChartArea: false } },
        },
      },
    });
  } else {
    lossChart.data.datasets = lossData(v);
    lossChart.update();
  }
  if (!metricsChart) {
    metricsChart = new Chart(metricsCanvas, {
      type: 'line',
      data: { datasets: metricsData(v) },
      options: {
        ...base,
        scales: {
          x: { ...linear, title: { display: true, text: 'epoch' }, ticks: { stepSize: 1 } },
          y: { min: 0, max: 1, title: { display: true, text: 'fraction' } },
        },
      },
      plugins: [settledLine],
    });
  } else {
    metricsChart.data.datasets = metricsData(v);
    metricsChart.update();
  }
  const ridge = gammaData(v);
  if (!gammaChart) {
    gammaChart = new Chart(gammaCanvas, {
      type: 'line',
      data: { datasets: ridge },
      options: {
        ...base,
        plugins: { legend: { reverse: true } },
        scales: {
          x: { ...linear, min: 0, title: { display: true, text: '|γ|' } },
          y: { title: { display: true, text: 'fraction of channels (stacked by epoch)' }, ticks: { display: false } },
        },
      },
    });
  } else {
    gammaChart.data.datasets = ridge;
    gammaChart.update();
  }
}

function drawTable(v: TrainingView) {
  const g = new Map(v.gamma.map((x) => [x.epoch, x]));
  const estimated = v.gamma.some((x) => x.estimated);
  const withS = v.epochs.some((e) => e.sparsity != null);
  const head = h(
    'tr',
    {},
    ...[
      'epoch',
      'iteration',
      'loss',
      'box',
      'obj',
      'cls',
      'P',
      'R',
      'mAP@0.5',
      'lr',
      ...(withS ? ['sparsity s'] : []),
      ...v.thresholds.map((t) => `|γ| < ${t}${estimated ? ' *' : ''}`),
      'mean |γ|',
      'suggested prune point',
    ].map((t) => h('th', {}, t)),
  );
  const rows = v.epochs.map((e) => {
    const gg = g.get(e.epoch);
    const cells = [
      String(e.epoch),
      String(e.iteration),
      num(e.loss),
      num(e.lossBox),
      num(e.lossObj),
      num(e.lossCls),
      pct(e.precision),
      pct(e.recall),
      pct(e.map50),
      num(e.lr, 3),
      ...v.thresholds.map((_, i) => pct(gg?.below[i])),
      num(gg?.meanAbs, 3),
      pct(gg?.emptyingPercent),
    ].map((t) => h('td', {}, t));
    // the s after lr; with --sparsity auto its tooltip says why the next epoch's s was chosen
    if (withS)
      cells.splice(
        10,
        0,
        h('td', { 'data-testid': 'epoch-sparsity', ...(e.sparsityReason ? { title: e.sparsityReason } : {}) }, num(e.sparsity, 2)),
      );
    return h('tr', { 'data-testid': 'epoch-row' }, ...cells);
  });
  table.replaceChildren(head, ...rows);
  if (estimated) table.append(h('caption', { class: 'muted' }, '* read off the histogram (this run did not record the exact fractions)'));
}

function settledText(v: TrainingView): string {
  if (v.gamma.length === 0) return 'No epoch finished yet.';
  if (v.gamma.some((g) => g.emptyingPercent === null))
    return 'This run did not record the per-layer |γ| maxima, so the suggested prune point is not known per epoch.';
  const last = v.gamma[v.gamma.length - 1].emptyingPercent!;
  return v.settledEpoch !== null
    ? `The suggested prune point has stayed within 1 % (one sweep step) since epoch ${v.settledEpoch}: now ${pct(last)} of the channels (a global percent from there on empties a layer).`
    : `The suggested prune point is still moving (now ${pct(last)}); it counts as settled once it stays within 1 % for the following epochs.`;
}

function render(v: TrainingView) {
  view = v;
  title.textContent = `Training — ${v.title} (${KIND[v.kind]})`;
  status.textContent = statusText(v);
  status.className = v.status === 'failed' ? 'error' : '';
  status.dataset.status = v.status;
  status.dataset.steps = String(v.steps.length);
  status.dataset.epochs = String(v.epochs.length);
  setEnabled(stop, v.status === 'running');
  setEnabled(resume, v.canResume && v.status !== 'running' && v.status !== 'stopping');
  setEnabled(gammaButton, !!v.latest);
  setEnabled(sweepButton, !!v.latest);
  settled.textContent = settledText(v);
  drawCharts(v);
  drawTable(v);
}

function appendSteps(steps: TrainingStepView[]) {
  if (!view) return;
  const byStep = new Map(view.steps.map((s, i) => [s.step, i]));
  for (const s of steps) {
    const i = byStep.get(s.step);
    if (i === undefined) view.steps.push(s);
    else view.steps[i] = { ...view.steps[i], ...s };
  }
  status.textContent = statusText(view);
  status.dataset.steps = String(view.steps.length);
  if (lossChart) {
    lossChart.data.datasets = lossData(view);
    lossChart.update();
  }
}

const panel = viewPanel('training', (_root, v) => render(v), {
  onMessage: (m) => {
    if (m.type === 'trainingSteps') appendSteps(m.steps);
  },
  onError: (message) => {
    status.textContent = message;
    status.className = 'error';
  },
});
