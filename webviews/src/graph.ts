// Network graph panel: the language server's graph of a cfg (darknet/networkGraph), laid out by the
// server (core/src/lang/graph-layout.ts) and painted here as SVG; zoom/pan, search by index or type, click a layer
// to reveal its section, the editor's cursor highlights its layer, and the pruning / γ-threshold
// overlay.
import { fmtInt, h } from './shared/dom';
import type { GammaOverlay, NetworkGraph } from './shared/protocol';
import { el, valueOf } from './shared/toolkit';
import { viewPanel } from './shared/viewPanel';
import { markers, overlayOf, paint, relayout, repaint, svg } from './graph/draw';
import { Viewport, type View } from './graph/viewport';

interface GraphUi {
  view?: View;
  search?: string;
}

const root = document.getElementById('app')!;
root.classList.add('graph-panel');
const title = h('div', { class: 'graph-title', 'data-testid': 'graph-title' });
const search = el(
  'textField',
  { 'data-testid': 'graph-search', placeholder: 'layer index or type', 'aria-label': 'Search layers by index or type' },
  'Find',
);
const found = h('span', { class: 'muted', 'data-testid': 'graph-found', role: 'status', 'aria-live': 'polite' });
const fitButton = el('button', { appearance: 'secondary', 'data-testid': 'graph-fit' }, 'Fit');
const zoomIn = el('button', { appearance: 'icon', 'aria-label': 'Zoom in', title: 'Zoom in (Ctrl+wheel)' }, '+');
const zoomOut = el('button', { appearance: 'icon', 'aria-label': 'Zoom out', title: 'Zoom out (Ctrl+wheel)' }, '−');
const legend = h('div', { class: 'graph-legend muted', 'data-testid': 'graph-legend' });
const hideGamma = el('link', { href: '#', 'data-testid': 'graph-hide-gamma' }, 'Hide γ overlay');
hideGamma.addEventListener('click', (e) => {
  e.preventDefault();
  state.gamma = null;
  if (state.graph) draw(state.graph);
});
const canvas = svg('svg', { class: 'graph', 'data-testid': 'graph-svg', role: 'application', 'aria-label': 'Network graph' });
const layer = svg('g', { class: 'viewport' });
canvas.append(markers(), layer);
root.append(h('div', { class: 'controls' }, search, found, fitButton, zoomIn, zoomOut), title, legend, canvas);

const state: {
  graph?: NetworkGraph;
  nodes: Map<number, SVGGElement>;
  cursor: number | null;
  gamma: GammaOverlay | null;
  matches: number[];
  match: number;
} = { nodes: new Map(), cursor: null, gamma: null, matches: [], match: -1 };

let saveTimer: ReturnType<typeof setTimeout> | undefined;
const viewport = new Viewport(canvas, layer, () => {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => panel.saveUi({ ...panel.ui, view: viewport.view }), 200);
});

function legendText(g: NetworkGraph): string {
  if (state.gamma)
    return `Fill: channels kept at γ threshold ${state.gamma.threshold.toPrecision(3)} (global percent ${state.gamma.percent}), red = none, green = all.`;
  if (g.prune)
    return `Pruned from ${g.prune.original}. Fill: channels kept (red = none, green = all); ✂ n: residual-unit layers removed before a layer.`;
  return 'Edges: grey = input, purple dashed = [route], orange = [shortcut], green = [sam]/[scale_channels]. Red border: detection head.';
}

function draw(g: NetworkGraph): void {
  viewport.sized(() => drawSized(g));
}

function drawSized(g: NetworkGraph): void {
  const t0 = performance.now();
  const before = state.graph?.layout;
  const first = !before;
  const overlay = overlayOf(g, state.gamma);
  if (before?.key === g.layout.key && state.graph?.uri === g.uri) repaint(state.nodes, g, overlay);
  else if (first || !relayout(layer, state.nodes, g, overlay)) state.nodes = paint(layer, g, overlay);
  state.graph = g;
  canvas.setAttribute('data-version', String(g.version));
  const t = g.totals;
  title.textContent = `${fileName(g.uri)} — ${fmtInt(t.layers)} layers · input ${g.input} · ${fmtInt(t.params)} params · ${t.bflops.toFixed(3)} BFLOPs`;
  legend.replaceChildren(legendText(g), ...(state.gamma ? [' ', hideGamma] : []));
  if (first) {
    const saved = panel.ui?.view;
    if (saved) viewport.set(saved);
    else viewport.fit(g.layout.width);
  }
  markCursor();
  runSearch(false);
  performance.measure('graph-paint', { start: t0, end: performance.now() });
}

const fileName = (uri: string) => decodeURIComponent(uri.split('/').pop() ?? uri);

function markCursor(): void {
  layer.querySelectorAll('.node.cursor').forEach((e) => e.classList.remove('cursor'));
  if (state.cursor === null) return;
  const e = state.nodes.get(state.cursor);
  const b = state.graph?.layout.boxes[state.cursor];
  if (!e || !b) return;
  e.classList.add('cursor');
  viewport.reveal(b);
}

function runSearch(move: boolean): void {
  const q = valueOf(search).trim().toLowerCase();
  layer.querySelectorAll('.node.match').forEach((e) => e.classList.remove('match'));
  if (!q || !state.graph) {
    state.matches = [];
    found.textContent = '';
    return;
  }
  state.matches = state.graph.nodes
    .filter((n) => (/^\d+$/.test(q) ? n.index === Number(q) : n.type.toLowerCase().includes(q) || n.label.toLowerCase().includes(q)))
    .map((n) => n.index);
  for (const i of state.matches) state.nodes.get(i)?.classList.add('match');
  if (move && state.matches.length) {
    state.match = (state.match + 1) % state.matches.length;
    const b = state.graph?.layout.boxes[state.matches[state.match]];
    if (b) viewport.reveal(b, true);
  }
  found.textContent = state.matches.length
    ? `${state.match >= 0 && move ? `${state.match + 1} of ` : ''}${state.matches.length} layer${state.matches.length === 1 ? '' : 's'}`
    : 'no layer';
}

search.addEventListener('input', () => {
  state.match = -1;
  runSearch(true);
  panel.saveUi({ ...panel.ui, search: valueOf(search) });
});
search.addEventListener('keydown', (e) => {
  if ((e as KeyboardEvent).key === 'Enter') runSearch(true);
});
fitButton.addEventListener('click', () => {
  if (state.graph) viewport.fit(state.graph.layout.width);
});
zoomIn.addEventListener('click', () => viewport.zoom(1.25));
zoomOut.addEventListener('click', () => viewport.zoom(0.8));

function activate(target: EventTarget | null): void {
  const node = (target as Element | null)?.closest?.('.node');
  if (!node) return;
  const index = Number(node.getAttribute('data-index'));
  state.cursor = index;
  markCursor();
  panel.post({ type: 'reveal', index });
}
layer.addEventListener('click', (e) => activate(e.target));
layer.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    activate(e.target);
  }
});

const panel = viewPanel<'graph', GraphUi>('graph', (_root, g) => draw(g), {
  onMessage: (m) => {
    if (m.type === 'cursor') {
      state.cursor = m.index;
      markCursor();
    }
    if (m.type === 'gammaOverlay') {
      state.gamma = m.overlay;
      if (state.graph) draw(state.graph);
    }
  },
  onError: (message) => {
    title.textContent = '';
    legend.replaceChildren(h('span', { class: 'error', 'data-testid': 'error' }, message));
  },
});
if (panel.ui?.search) (search as HTMLInputElement).value = panel.ui.search;
