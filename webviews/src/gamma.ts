// BN-γ histogram panel: distribution of |γ| over the prunable set or one layer, the global-percent
// threshold as a draggable line, live figures for the chosen percent, and a Prune button.
import { thresholdIndex } from '../../core/src/prune/threshold';
import { pruneWarning, sparsityVerdict, verdictText } from '../../core/src/prune/sparsity-verdict';
import { Chart, colors, histogram, type Plugin } from './shared/charts';
import { fmtBytes, fmtInt, h, pctChange } from './shared/dom';
import type { GammaView, PruneFigures } from './shared/protocol';
import { el, valueOf } from './shared/toolkit';
import { viewPanel } from './shared/viewPanel';

/** What the user chose, kept across reloads; a fresh panel starts from the host's defaults. */
interface GammaUi {
  percent: number;
  layerKeep: number;
  layer: string;
}
const BINS = 60;

const state: GammaUi & { view?: GammaView } = { percent: 0.8, layerKeep: 0.01, layer: 'all' };
const save = () => panel.saveUi({ percent: state.percent, layerKeep: state.layerKeep, layer: state.layer });
let chart: Chart | undefined;
let inFlight = false;
let queued = false;

const root = document.getElementById('app')!;
const title = h('h2', { 'data-testid': 'gamma-title' });
const layerSelect = el('dropdown', { 'data-testid': 'layer-select', 'aria-label': 'Layer' });
const slider = h('input', {
  type: 'range',
  min: '0',
  max: '0.99',
  step: '0.01',
  'data-testid': 'percent-slider',
  'aria-label': 'Global percent',
});
const percentField = el('textField', { 'data-testid': 'percent-field', size: '6' }, 'Global percent');
const keepField = el('textField', { 'data-testid': 'layer-keep-field', size: '6' }, 'layer_keep');
const pruneButton = el('button', { 'data-testid': 'prune-button', appearance: 'primary' }, 'Prune channels…');
const figures = h('div', { class: 'figures', 'data-testid': 'figures', role: 'status', 'aria-live': 'polite' });
const canvas = h('canvas', { 'data-testid': 'gamma-chart', role: 'img', 'aria-label': 'Histogram of |γ|' });
const controls = h(
  'div',
  { class: 'controls' },
  layerSelect,
  h('label', {}, 'Global percent ', slider),
  percentField,
  keepField,
  pruneButton,
);
// Do the γ look sparsity-trained, and does this percent cut γ that are not near zero (docs/pruning.md §Sparsity verdict)
const verdict = h('div', { class: 'verdict', 'data-testid': 'sparsity-verdict', role: 'status', 'aria-live': 'polite' });
root.append(title, controls, verdict, h('div', { class: 'chart' }, canvas), figures);

function showVerdict() {
  const v = state.view;
  if (!v || v.sorted.length === 0) {
    verdict.replaceChildren();
    return;
  }
  const sv = sparsityVerdict(v.sorted, state.percent);
  const warning = pruneWarning(sv);
  verdict.replaceChildren(
    h('div', { class: sv.sparsityTrained ? '' : 'warning', 'data-testid': 'verdict-text' }, verdictText(sv)),
    ...(warning ? [h('div', { class: 'warning', 'data-testid': 'verdict-warning' }, `⚠ ${warning}`)] : []),
  );
}

function thresholdOf(view: GammaView, percent: number): number {
  return view.sorted.length ? view.sorted[thresholdIndex(view.sorted.length, percent)] : 0;
}

const thresholdLine: Plugin<'bar'> = {
  id: 'threshold',
  afterDatasetsDraw(c) {
    if (!state.view) return;
    const t = thresholdOf(state.view, state.percent);
    const x = c.scales.x.getPixelForValue(t / binWidth() - 0.5);
    const ctx = c.ctx;
    ctx.save();
    ctx.strokeStyle = colors().danger;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, c.chartArea.top);
    ctx.lineTo(x, c.chartArea.bottom);
    ctx.stroke();
    ctx.fillStyle = colors().danger;
    ctx.fillText(`thr ${t.toPrecision(3)}`, x + 4, c.chartArea.top + 12);
    ctx.restore();
  },
};

const maxGamma = () => (state.view && state.view.sorted.length ? state.view.sorted[state.view.sorted.length - 1] : 1);
const binWidth = () => maxGamma() / BINS || 1;

function values(): number[] {
  const v = state.view!;
  return state.layer === 'all' ? v.sorted : (v.perLayer[Number(state.layer)] ?? []);
}

function drawChart() {
  const { edges, counts } = histogram(values(), BINS, maxGamma());
  const labels = edges.slice(0, -1).map((e) => (e + binWidth() / 2).toPrecision(2));
  if (!chart) {
    chart = new Chart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [{ label: '|γ| count', data: counts, backgroundColor: colors().primary, barPercentage: 1, categoryPercentage: 1 }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: '|γ|' } }, y: { title: { display: true, text: 'channels' } } },
      },
      plugins: [thresholdLine],
    });
  } else {
    chart.data.labels = labels;
    chart.data.datasets[0].data = counts;
    chart.update();
  }
}

function setPercent(p: number, fromSlider = false) {
  state.percent = Math.min(0.99, Math.max(0, Math.round(p * 1000) / 1000));
  if (!fromSlider) slider.value = String(state.percent);
  (percentField as HTMLInputElement).value = state.percent.toFixed(3);
  save();
  chart?.update();
  showVerdict();
  requestFigures();
}

function requestFigures() {
  if (inFlight) {
    queued = true;
    return;
  }
  inFlight = true;
  panel.post({ type: 'percent', percent: state.percent, layerKeep: state.layerKeep });
}

function showFigures(f: PruneFigures) {
  inFlight = false;
  if (queued) {
    queued = false;
    requestFigures();
  }
  figures.replaceChildren(
    h('div', { 'data-testid': 'fig-threshold' }, `threshold |γ| > ${f.threshold.toPrecision(4)}`),
    h('div', { 'data-testid': 'fig-channels' }, `channels kept ${fmtInt(f.channels.kept)} / ${fmtInt(f.channels.total)}`),
    h(
      'div',
      { 'data-testid': 'fig-params' },
      `params ${fmtInt(f.params.before)} → ${fmtInt(f.params.after)} (${pctChange(f.params.before, f.params.after)})`,
    ),
    h(
      'div',
      { 'data-testid': 'fig-bflops' },
      `BFLOPs ${f.bflops.before.toFixed(3)} → ${f.bflops.after.toFixed(3)} (${pctChange(f.bflops.before, f.bflops.after)})`,
    ),
    h('div', { 'data-testid': 'fig-size' }, `weights ${fmtBytes(f.weightsBytes.before)} → ${fmtBytes(f.weightsBytes.after)}`),
    h('div', { 'data-testid': 'fig-floored' }, `layers floored by layer_keep: ${f.floored.length ? f.floored.join(', ') : 'none'}`),
    h('div', { class: 'muted' }, `computed in ${f.elapsedMs.toFixed(1)} ms`),
  );
}

function showView(view: GammaView, saved: GammaUi | undefined) {
  Object.assign(state, saved ?? { percent: view.percent, layerKeep: view.layerKeep, layer: 'all' });
  state.view = view;
  title.textContent = `BN-γ distribution — ${view.title} (${view.layers.length} prunable layers, ${fmtInt(view.sorted.length)} channels)`;
  layerSelect.replaceChildren(
    el('option', { value: 'all' }, 'All prunable layers'),
    ...view.layers.map((l) =>
      el('option', { value: String(l.index) }, `layer ${l.index} (${l.channels} ch, mean |γ| ${l.mean.toPrecision(3)})`),
    ),
  );
  (layerSelect as HTMLElement & { value: string }).value = state.layer;
  (keepField as HTMLInputElement).value = String(state.layerKeep);
  drawChart();
  setPercent(state.percent);
}

// Dragging the threshold line: x pixel → |γ| → percent from the sorted distribution.
let dragging = false;
function percentAtPixel(x: number): number {
  const v = state.view!;
  const bin = chart!.scales.x.getValueForPixel(x) ?? 0;
  const t = (bin + 0.5) * binWidth();
  let lo = 0,
    hi = v.sorted.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (v.sorted[m] <= t) lo = m + 1;
    else hi = m;
  }
  return lo / Math.max(1, v.sorted.length);
}
canvas.addEventListener('pointerdown', (e) => {
  if (state.view && chart) {
    dragging = true;
    canvas.setPointerCapture(e.pointerId);
    setPercent(percentAtPixel(e.offsetX));
  }
});
canvas.addEventListener('pointermove', (e) => {
  if (dragging) setPercent(percentAtPixel(e.offsetX));
});
canvas.addEventListener('pointerup', () => {
  dragging = false;
});
slider.addEventListener('input', () => setPercent(Number(slider.value), true));
percentField.addEventListener('change', () => {
  const p = Number(valueOf(percentField));
  if (Number.isFinite(p)) setPercent(p);
});
keepField.addEventListener('change', () => {
  const k = Number(valueOf(keepField));
  if (Number.isFinite(k) && k >= 0 && k <= 1) {
    state.layerKeep = k;
    save();
    requestFigures();
  }
});
layerSelect.addEventListener('change', () => {
  state.layer = valueOf(layerSelect) || 'all';
  save();
  drawChart();
});
pruneButton.addEventListener('click', () => panel.post({ type: 'prune', percent: state.percent, layerKeep: state.layerKeep }));

const panel = viewPanel<'gamma', GammaUi>('gamma', (_root, view, p) => showView(view, p.ui), {
  onMessage: (m) => {
    if (m.type === 'figures') showFigures(m.figures);
  },
  onError: (message) => {
    inFlight = false;
    figures.replaceChildren(h('div', { class: 'error', 'data-testid': 'error' }, message));
  },
});
