// Benchmark panel: per model the latency distribution (Tukey box from every iteration), FPS and
// the ratios to the baseline (the first model) next to the BFLOPs ratio, the mosaic's per-stream
// FPS, the slowest layers when the run has profiling counters, and the workspace's saved runs.
import { Chart, colors } from './shared/charts';
import { fmtInt, h } from './shared/dom';
import type { BenchModelView, BenchView } from './shared/protocol';
import { el } from './shared/toolkit';
import { viewPanel } from './shared/viewPanel';

let charts: Chart[] = [];

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const times = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : `×${v.toFixed(2)}`);
const cells = (tag: 'th' | 'td', values: (string | Node)[], ids: (string | undefined)[] = []) =>
  values.map((v, i) => h(tag, ids[i] ? { 'data-testid': ids[i]! } : {}, v));

function modelsTable(view: BenchView): HTMLElement {
  const head = [
    'model',
    'kind',
    'input',
    'BFLOPs',
    'params',
    'median ms',
    'p90',
    'p99',
    'n',
    'FPS',
    'FPS ratio',
    'BFLOPs ratio',
    'params ratio',
    'precision',
    'streams',
    'requests',
  ];
  return h(
    'table',
    { class: 'totals', 'data-testid': 'bench-models' },
    h('tr', {}, ...cells('th', head)),
    ...view.models.map((m, i) =>
      h(
        'tr',
        { 'data-testid': `bench-model-${i}` },
        ...cells(
          'td',
          [
            m.label,
            m.kind,
            m.input,
            m.bflops === null ? '—' : m.bflops.toFixed(3),
            m.params === null ? '—' : fmtInt(m.params),
            ms(m.box.median),
            ms(m.p90Ms),
            ms(m.p99Ms),
            String(m.box.n),
            m.fps.toFixed(2),
            i === 0 ? 'baseline' : times(m.ratio.fps),
            i === 0 ? '—' : times(m.ratio.bflops),
            i === 0 ? '—' : times(m.ratio.params),
            m.settings.precision,
            m.settings.streams,
            m.settings.requests,
          ],
          [
            `model-label-${i}`,
            undefined,
            undefined,
            undefined,
            undefined,
            `median-${i}`,
            undefined,
            undefined,
            undefined,
            `fps-${i}`,
            `fps-ratio-${i}`,
            `bflops-ratio-${i}`,
          ],
        ),
      ),
    ),
  );
}

function summary(view: BenchView): string {
  const [base, ...rest] = view.models;
  if (rest.length === 0) return `${base.label}: ${base.fps.toFixed(2)} FPS, median ${ms(base.box.median)} ms`;
  return rest.map((m) => `${m.label}: FPS ${times(m.ratio.fps)} of ${base.label} at BFLOPs ${times(m.ratio.bflops)}`).join(' · ');
}

function boxChart(canvas: HTMLCanvasElement, models: BenchModelView[]): Chart {
  const c = colors();
  const labels = models.map((m) => m.label);
  // Lower `order` is drawn on top: the median and the outliers over the box, the box over the whiskers.
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          label: 'whiskers (1.5 IQR)',
          data: models.map((m) => [m.box.whiskerLow, m.box.whiskerHigh]),
          backgroundColor: c.muted,
          barThickness: 2,
          grouped: false,
          order: 3,
        },
        {
          label: 'q1–q3',
          data: models.map((m) => [m.box.q1, m.box.q3]),
          backgroundColor: c.primary,
          borderColor: c.primary,
          borderWidth: 1,
          barThickness: 22,
          grouped: false,
          order: 2,
        },
        {
          type: 'line',
          label: 'median',
          data: models.map((m, i) => ({ x: m.box.median, y: labels[i] })),
          showLine: false,
          pointStyle: 'line',
          rotation: 90,
          pointRadius: 13,
          borderWidth: 3,
          borderColor: c.secondary,
          backgroundColor: c.secondary,
          order: 1,
        },
        {
          type: 'line',
          label: 'outliers',
          data: models.flatMap((m, i) => m.box.outliers.map((x) => ({ x, y: labels[i] }))),
          showLine: false,
          pointRadius: 2.5,
          borderColor: c.danger,
          backgroundColor: c.danger,
          order: 0,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: 'latency per inference (ms)' } }, y: { type: 'category', labels } },
    },
  } as never);
}

function fpsChart(canvas: HTMLCanvasElement, view: BenchView): Chart {
  const c = colors();
  const mosaic = view.framesPerInference > 1;
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: view.models.map((m, i) =>
        i === 0 ? `${m.label} (baseline)` : `${m.label} (FPS ${times(m.ratio.fps)}, BFLOPs ${times(m.ratio.bflops)})`,
      ),
      datasets: [
        {
          label: mosaic ? 'frames/s (4 streams)' : 'FPS',
          data: view.models.map((m) => (mosaic ? m.framesPerSecond : m.fps)),
          backgroundColor: c.primary,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { min: 0, title: { display: true, text: mosaic ? 'frames per second' : 'inferences per second' } } },
    },
  });
}

function ratioChart(canvas: HTMLCanvasElement, view: BenchView): Chart {
  const c = colors();
  const rest = view.models.slice(1);
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: rest.map((m) => m.label),
      datasets: [
        { label: 'FPS ratio', data: rest.map((m) => m.ratio.fps), backgroundColor: c.primary },
        { label: 'BFLOPs ratio', data: rest.map((m) => m.ratio.bflops), backgroundColor: c.secondary },
        { label: 'params ratio', data: rest.map((m) => m.ratio.params), backgroundColor: c.muted },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { y: { min: 0, title: { display: true, text: `× ${view.models[0].label}` } } },
    },
  });
}

function mosaicSection(view: BenchView): HTMLElement[] {
  if (view.framesPerInference <= 1) return [];
  return [
    h('h3', {}, `Mosaic: ${view.framesPerInference} streams per inference`),
    h(
      'table',
      { class: 'totals', 'data-testid': 'bench-mosaic' },
      h('tr', {}, ...cells('th', ['model', 'inferences/s', 'per-stream FPS', 'frames/s, all streams'])),
      ...view.models.map((m, i) =>
        h(
          'tr',
          {},
          ...cells(
            'td',
            [m.label, m.fps.toFixed(2), m.fps.toFixed(2), m.framesPerSecond.toFixed(2)],
            [undefined, undefined, `stream-fps-${i}`],
          ),
        ),
      ),
    ),
  ];
}

function slowestSection(view: BenchView): HTMLElement[] {
  const profiled = view.models.filter((m) => m.slowest && m.slowest.length > 0);
  if (profiled.length === 0) return [];
  return [
    h('h3', {}, 'Slowest layers (profiling counters)'),
    ...profiled.map((m) =>
      h(
        'table',
        { class: 'totals', 'data-testid': 'bench-slowest' },
        h('tr', {}, ...cells('th', [m.label, 'type', 'ms', 'share'])),
        ...m.slowest!.map((l) => h('tr', {}, ...cells('td', [`layer ${l.layer}`, l.type, ms(l.ms), `${(100 * l.share).toFixed(1)}%`]))),
      ),
    ),
  ];
}

function historySection(view: BenchView, post: (id: string) => void): HTMLElement[] {
  const items = view.history.map((r) => {
    const text = `${r.when.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} — ${r.runtime} ${r.hint}: ${r.models.join(', ')}${r.fpsRatio !== null ? ` (FPS ${times(r.fpsRatio)})` : ''}`;
    if (r.id === view.id) return h('li', { 'data-testid': 'history-current' }, h('strong', {}, text), ' (shown)');
    const link = el('link', { href: '#', 'data-testid': `history-${r.id}` }, text);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      post(r.id);
    });
    return h('li', {}, link);
  });
  return [
    h('h3', {}, 'Runs in this workspace'),
    h('p', { class: 'muted' }, `Saved in ${view.historyDir}`),
    h('ul', { 'data-testid': 'bench-history' }, ...items),
  ];
}

viewPanel('bench', (root, view, panel) => {
  for (const c of charts) c.destroy();
  const box = h('canvas', { 'data-testid': 'bench-box', role: 'img', 'aria-label': 'Latency distribution per model' });
  const fps = h('canvas', { 'data-testid': 'bench-fps', role: 'img', 'aria-label': 'FPS per model' });
  const ratio = h('canvas', { 'data-testid': 'bench-ratio', role: 'img', 'aria-label': 'FPS and BFLOPs ratios to the baseline' });
  const settings = [
    view.runtime + (view.openvino ? ` ${view.openvino}` : ''),
    view.device,
    `hint ${view.hint}`,
    ...(view.precisionAsked ? [`precision ${view.precisionAsked}`] : []),
  ].join(', ');
  root.replaceChildren(
    h('h2', { 'data-testid': 'bench-title' }, `Benchmark — ${view.models.map((m) => m.label).join(' vs ')}`),
    h('p', { 'data-testid': 'bench-summary' }, summary(view)),
    h('p', { class: 'muted' }, `${settings}; ${view.when.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}; ${view.machine}`),
    modelsTable(view),
    ...(view.hint === 'throughput'
      ? [
          h(
            'p',
            { class: 'muted' },
            'Throughput mode: latencies are per request with all requests in flight, not comparable with latency-mode latencies.',
          ),
        ]
      : []),
    h('h3', {}, 'Latency distribution'),
    h('div', { class: 'chart' }, box),
    h('h3', {}, view.framesPerInference > 1 ? 'Frames per second' : 'FPS'),
    h('div', { class: 'chart' }, fps),
    ...(view.models.length > 1 ? [h('h3', {}, `Ratios to ${view.models[0].label}`), h('div', { class: 'chart' }, ratio)] : []),
    ...mosaicSection(view),
    ...slowestSection(view),
    ...historySection(view, (id) => panel.post({ type: 'benchRun', id })),
  );
  charts = [boxChart(box, view.models), fpsChart(fps, view), ...(view.models.length > 1 ? [ratioChart(ratio, view)] : [])];
});
