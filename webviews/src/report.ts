// Prune report panel: per-layer before/after bars, totals, method and parameters, links.
import { Chart, colors } from './shared/charts';
import { fmtBytes, fmtInt, h, pctChange } from './shared/dom';
import { el } from './shared/toolkit';
import { viewPanel } from './shared/viewPanel';

let chart: Chart | undefined;

function row(label: string, before: string, after: string, change: string, testid: string) {
  return h('tr', { 'data-testid': testid }, h('th', {}, label), h('td', {}, before), h('td', {}, after), h('td', {}, change));
}

viewPanel('report', (root, view, panel) => {
  const t = view.totals;
  const openPruned = el('link', { href: '#', 'data-testid': 'open-pruned' }, 'Open pruned cfg');
  const compare = el('link', { href: '#', 'data-testid': 'compare' }, 'Compare with original');
  openPruned.addEventListener('click', (e) => {
    e.preventDefault();
    panel.post({ type: 'open', target: 'prunedCfg' });
  });
  compare.addEventListener('click', (e) => {
    e.preventDefault();
    panel.post({ type: 'compare' });
  });
  const params = Object.entries(view.parameters)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const canvas = h('canvas', { 'data-testid': 'report-chart', role: 'img', 'aria-label': 'Filters before and after per layer' });
  root.replaceChildren(
    h('h2', { 'data-testid': 'report-title' }, `Prune report — ${view.title}`),
    h('p', {}, `Method ${view.method}${params ? ` (${params})` : ''}`),
    h('p', {}, openPruned, ' · ', compare),
    h(
      'table',
      { class: 'totals', 'data-testid': 'totals' },
      h('tr', {}, h('th', {}, ''), h('th', {}, 'before'), h('th', {}, 'after'), h('th', {}, 'change')),
      row('Parameters', fmtInt(t.params.before), fmtInt(t.params.after), pctChange(t.params.before, t.params.after), 'total-params'),
      row('BFLOPs', t.bflops.before.toFixed(3), t.bflops.after.toFixed(3), pctChange(t.bflops.before, t.bflops.after), 'total-bflops'),
      row(
        '.weights size',
        fmtBytes(t.weightsBytes.before),
        fmtBytes(t.weightsBytes.after),
        pctChange(t.weightsBytes.before, t.weightsBytes.after),
        'total-size',
      ),
    ),
    h('div', { class: 'chart tall' }, canvas),
  );
  chart?.destroy();
  const c = colors();
  chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: view.layers.map((l) => `${l.index}`),
      datasets: [
        { label: 'filters before', data: view.layers.map((l) => l.before), backgroundColor: c.muted },
        { label: 'filters after', data: view.layers.map((l) => l.after), backgroundColor: c.primary },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { title: { display: true, text: 'layer' } }, y: { title: { display: true, text: 'filters' } } },
    },
  });
});
