// Paints a laid-out network graph as SVG: nodes (type, index, output shape; params and BFLOPs in
// the tooltip), edges by kind, heads and errors marked, and the pruning or γ-threshold overlay
// (fill by the fraction of channels kept; a ✂ badge where residual units were removed).
// Colours come from the theme through the classes in webviews/media/panel.css.
import type { GammaOverlay, GraphNode, NetworkGraph } from '../shared/protocol';
import { NODE_W, type Layout, type Point } from './layout';

const SVG = 'http://www.w3.org/2000/svg';

/** 1234567 → 1,234,567 (toLocaleString is slow enough to show on 160 nodes). */
const thousands = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A smooth path through dagre's edge points. */
function pathOf(points: Point[]): string {
  if (points.length === 0) return '';
  let d = `M${points[0].x},${points[0].y}`;
  if (points.length === 2) return `${d}L${points[1].x},${points[1].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i],
      n = points[i + 1];
    const mx = i === points.length - 2 ? n.x : (p.x + n.x) / 2,
      my = i === points.length - 2 ? n.y : (p.y + n.y) / 2;
    d += `Q${p.x},${p.y} ${mx},${my}`;
  }
  return d;
}

export interface Overlay {
  /** layer → fraction of channels kept */
  kept: Map<number, number>;
  /** layer → tooltip line */
  notes: Map<number, string>;
  /** layer → original layers removed just before it */
  removed: Map<number, number[]>;
}

export function overlayOf(g: NetworkGraph, gamma: GammaOverlay | null): Overlay | undefined {
  if (gamma) {
    const kept = new Map(Object.entries(gamma.kept).map(([k, v]) => [Number(k), v]));
    const notes = new Map(
      [...kept].map(([i, f]) => [
        i,
        `γ > ${gamma.threshold.toPrecision(3)} (percent ${gamma.percent}): ${Math.round(f * 100)}% of channels kept`,
      ]),
    );
    return { kept, notes, removed: new Map() };
  }
  if (!g.prune) return undefined;
  const kept = new Map<number, number>();
  const notes = new Map<number, string>();
  for (const l of g.prune.layers) {
    if (l.kept !== null) kept.set(l.index, l.kept);
    notes.set(
      l.index,
      `original layer ${l.originalIndex}${l.kept !== null ? `: filters ${l.filtersBefore} → ${l.filtersAfter} (${Math.round(l.kept * 100)}% kept)` : ''}`,
    );
  }
  return { kept, notes, removed: new Map(g.prune.removed.map((r) => [r.before, r.originalLayers])) };
}

/** red (nothing kept) → green (all kept), mixed from the theme's chart colours. */
const keptFill = (f: number) => `color-mix(in srgb, var(--vscode-charts-green) ${Math.round(f * 100)}%, var(--vscode-charts-red))`;

/** Sets what a node shows (texts, classes, fill, tooltip), touching only what changed. */
function fill(e: SVGGElement, n: GraphNode, overlay: Overlay | undefined): void {
  const set = (el: Element, text: string) => {
    if (el.textContent !== text) el.textContent = text;
  };
  const attr = (name: string, value: string) => {
    if (e.getAttribute(name) !== value) e.setAttribute(name, value);
  };
  const cls = ['node', `t-${n.type}`, n.head ? 'head' : '', n.error ? 'error' : '', overlay?.kept.has(n.index) ? 'overlaid' : '']
    .filter(Boolean)
    .join(' ');
  const keepCursor = e.classList.contains('cursor') ? ' cursor' : '',
    keepMatch = e.classList.contains('match') ? ' match' : '';
  attr('class', cls + keepCursor + keepMatch);
  const shape = n.output ?? 'shape unknown';
  attr('data-type', n.type);
  attr('aria-label', `Layer ${n.index} ${n.type} ${shape}`);
  const [rect, label, shapeText, title] = [e.children[0], e.children[1], e.children[2], e.lastElementChild!] as [
    SVGRectElement,
    Element,
    Element,
    Element,
  ];
  const f = overlay?.kept.get(n.index);
  const fillValue = f !== undefined ? keptFill(f) : '';
  if (rect.dataset.fill !== fillValue) {
    rect.style.fill = fillValue;
    rect.dataset.fill = fillValue;
  }
  set(label, `${n.index}  ${n.label}`);
  set(shapeText, shape);
  const tip = [
    `#${n.index} ${n.type}${n.head ? ' (detection head)' : ''}`,
    `output ${shape}`,
    `params ${thousands(n.params)} · BFLOPs ${n.bflops.toFixed(3)}`,
  ];
  const note = overlay?.notes.get(n.index);
  if (note) tip.push(note);
  const removed = overlay?.removed.get(n.index);
  const badgeOf = e.querySelector('.removed-badge');
  if (badgeOf?.getAttribute('data-removed') !== removed?.join(',')) badgeOf?.remove();
  if (removed && !e.querySelector('.removed-badge')) {
    tip.push(`removed before this layer: original layers ${removed.join(', ')}`);
    const badge = svg('g', { class: 'removed-badge', transform: `translate(${NODE_W - 34},-9)`, 'data-removed': removed.join(',') });
    badge.append(svg('rect', { width: 40, height: 16, rx: 8 }), svg('text', { x: 6, y: 12 }, `✂ ${removed.length}`));
    e.insertBefore(badge, title);
  }
  set(title, tip.join('\n'));
}

/** Builds the SVG of a new layout; returns the node elements by layer index. */
export function paint(root: SVGGElement, g: NetworkGraph, layout: Layout, overlay: Overlay | undefined): Map<number, SVGGElement> {
  const edges = svg('g', { class: 'edges' });
  for (const { edge, points } of layout.edges) {
    const p = svg('path', {
      class: `edge k-${edge.kind}`,
      d: pathOf(points),
      'data-from': edge.from,
      'data-to': edge.to,
      'data-kind': edge.kind,
      'marker-end': `url(#arrow-${edge.kind})`,
    });
    p.append(
      svg('title', {}, `${edge.kind === 'next' ? 'input' : edge.kind} ${edge.from} → ${edge.to}${edge.label ? ` (${edge.label})` : ''}`),
    );
    edges.append(p);
    if (edge.label && points.length) {
      const mid = points[Math.floor(points.length / 2)];
      edges.append(svg('text', { class: 'edge-label', x: mid.x + 4, y: mid.y }, edge.label));
    }
  }
  const nodes = svg('g', { class: 'nodes' });
  const byIndex = new Map<number, SVGGElement>();
  for (const n of g.nodes) {
    const b = layout.nodes.get(n.index);
    if (!b) continue;
    const e = svg('g', {
      class: 'node',
      transform: `translate(${b.x - b.width / 2},${b.y - b.height / 2})`,
      'data-index': n.index,
      tabindex: 0,
      role: 'button',
    });
    e.append(
      svg('rect', { width: b.width, height: b.height, rx: 4 }),
      svg('text', { class: 'label', x: 8, y: 15 }),
      svg('text', { class: 'shape', x: 8, y: 31 }),
      svg('title'),
    );
    fill(e, n, overlay);
    nodes.append(e);
    byIndex.set(n.index, e);
  }
  root.replaceChildren(edges, nodes);
  return byIndex;
}

/** Same layout, new contents (an edit that moved no edge): updates the nodes in place. */
export function repaint(byIndex: Map<number, SVGGElement>, g: NetworkGraph, overlay: Overlay | undefined): void {
  for (const n of g.nodes) {
    const e = byIndex.get(n.index);
    if (e) fill(e, n, overlay);
  }
}

/** Arrow heads, one per edge kind (coloured by its class). */
export function markers(): SVGDefsElement {
  const defs = svg('defs');
  for (const kind of ['next', 'route', 'shortcut', 'sam', 'scale_channels']) {
    const m = svg('marker', {
      id: `arrow-${kind}`,
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
      class: `arrow k-${kind}`,
    });
    m.append(svg('path', { d: 'M0,0L10,5L0,10z' }));
    defs.append(m);
  }
  return defs;
}

export { svg };
