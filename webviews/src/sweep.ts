// Pruning sweep panel: global percent → params / BFLOPs (and mAP when evaluated), suggested point marked.
import { Chart, colors } from './shared/charts';
import { fmtInt, h } from './shared/dom';
import { viewPanel } from './shared/viewPanel';

let chart: Chart | undefined;

viewPanel('sweep', (root, view) => {
  const canvas = h('canvas', { 'data-testid': 'sweep-chart', role: 'img', 'aria-label': 'Sweep curves' });
  const suggested = view.points.find((p) => p.percent === view.suggested);
  root.replaceChildren(
    h('h2', { 'data-testid': 'sweep-title' }, `Pruning sweep — ${view.title}`),
    h(
      'p',
      { 'data-testid': 'suggested' },
      suggested
        ? `Suggested point: ${suggested.percent.toFixed(2)} → ${fmtInt(suggested.params)} params, ${suggested.bflops.toFixed(3)} BFLOPs`
        : 'No suggested point',
    ),
    h('p', { class: 'muted' }, `Rule: ${view.rule}`),
    h('div', { class: 'chart tall' }, canvas),
  );
  chart?.destroy();
  const c = colors();
  const base = view.points[0];
  const hasMap = view.points.some((p) => p.mAP !== undefined);
  chart = new Chart(canvas, {
    type: 'line',
    data: {
      labels: view.points.map((p) => p.percent.toFixed(2)),
      datasets: [
        {
          label: 'params (% of first point)',
          data: view.points.map((p) => (100 * p.params) / base.params),
          borderColor: c.primary,
          yAxisID: 'y',
        },
        {
          label: 'BFLOPs (% of first point)',
          data: view.points.map((p) => (100 * p.bflops) / base.bflops),
          borderColor: c.secondary,
          yAxisID: 'y',
        },
        ...(hasMap ? [{ label: 'mAP@0.5', data: view.points.map((p) => p.mAP ?? null), borderColor: c.ok, yAxisID: 'y2' }] : []),
        {
          label: 'suggested',
          data: view.points.map((p) => (p.percent === view.suggested ? 100 : null)),
          borderColor: c.danger,
          backgroundColor: c.danger,
          pointRadius: 6,
          showLine: false,
          yAxisID: 'y',
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'global percent' } },
        y: { title: { display: true, text: '% of the least-pruned point' }, min: 0 },
        ...(hasMap ? { y2: { position: 'right' as const, min: 0, max: 1, title: { display: true, text: 'mAP@0.5' } } } : {}),
      },
    },
  });
});
