// Paints a laid-out network graph as SVG: nodes (type, index, output shape; params and BFLOPs in
// the tooltip), edges by kind, heads and errors marked, and the pruning or γ-threshold overlay
// (fill by the fraction of channels kept; a ✂ badge where residual units were removed).
// Colours come from the theme through the classes in webviews/media/panel.css.
import { fmtInt } from '../shared/dom';
import type { GammaOverlay, GraphBox, GraphNode, GraphPoint, NetworkGraph } from '../shared/protocol';

const SVG = 'http://www.w3.org/2000/svg';

/** Text and attribute values for SVG markup. */
const esc = (t: string) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

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

/** A smooth path through the edge's points; an edge between neighbouring ranks leaves and enters vertically. */
function pathOf(points: GraphPoint[]): string {
  if (points.length === 0) return '';
  let d = `M${points[0].x},${points[0].y}`;
  if (points.length === 2) {
    const [a, b] = points;
    if (a.x === b.x) return `${d}L${b.x},${b.y}`;
    const my = (a.y + b.y) / 2;
    return `${d}C${a.x},${my} ${b.x},${my} ${b.x},${b.y}`;
  }
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

/** What a node shows: its classes, texts, fill, tooltip and ✂ badge. */
function nodeView(n: GraphNode, overlay: Overlay | undefined) {
  const cls = ['node', `t-${n.type}`, n.head ? 'head' : '', n.error ? 'error' : '', overlay?.kept.has(n.index) ? 'overlaid' : '']
    .filter(Boolean)
    .join(' ');
  const shape = n.output ?? 'shape unknown';
  const f = overlay?.kept.get(n.index);
  const tip = [
    `#${n.index} ${n.type}${n.head ? ' (detection head)' : ''}`,
    `output ${shape}`,
    `params ${fmtInt(n.params)} · BFLOPs ${n.bflops.toFixed(3)}`,
  ];
  const note = overlay?.notes.get(n.index);
  if (note) tip.push(note);
  const removed = overlay?.removed.get(n.index);
  if (removed) tip.push(`removed before this layer: original layers ${removed.join(', ')}`);
  return {
    cls,
    shape,
    label: `${n.index}  ${n.label}`,
    aria: `Layer ${n.index} ${n.type} ${shape}`,
    fill: f !== undefined ? keptFill(f) : '',
    tip: tip.join('\n'),
    removed: removed?.join(','),
    badge: removed ? `✂ ${removed.length}` : '',
  };
}

/** The ✂ badge at the top right corner of a node `width` wide. */
const badgeMarkup = (removed: string, text: string, width: number) =>
  `<g class="removed-badge" transform="translate(${width - 34},-9)" data-removed="${removed}"><rect width="40" height="16" rx="8"/><text x="6" y="12">${esc(text)}</text></g>`;

/** The overlay's fill, set through the CSSOM (the CSP allows no style attribute in markup). */
function setFill(rect: SVGRectElement, value: string): void {
  if ((rect.dataset.fill ?? '') === value) return;
  rect.style.fill = value;
  rect.dataset.fill = value;
}

/** Sets what a node shows (texts, classes, fill, tooltip), touching only what changed. */
function fill(e: SVGGElement, n: GraphNode, overlay: Overlay | undefined): void {
  const v = nodeView(n, overlay);
  const set = (el: Element, text: string) => {
    if (el.textContent !== text) el.textContent = text;
  };
  const attr = (name: string, value: string) => {
    if (e.getAttribute(name) !== value) e.setAttribute(name, value);
  };
  const keepCursor = e.classList.contains('cursor') ? ' cursor' : '',
    keepMatch = e.classList.contains('match') ? ' match' : '';
  attr('class', v.cls + keepCursor + keepMatch);
  attr('data-type', n.type);
  attr('aria-label', v.aria);
  const [rect, label, shapeText, title] = [e.children[0], e.children[1], e.children[2], e.lastElementChild!] as [
    SVGRectElement,
    Element,
    Element,
    Element,
  ];
  setFill(rect, v.fill);
  set(label, v.label);
  set(shapeText, v.shape);
  const badge = e.querySelector('.removed-badge');
  if (badge && badge.getAttribute('data-removed') !== v.removed) badge.remove();
  if (v.removed !== undefined && !e.querySelector('.removed-badge'))
    title.insertAdjacentHTML('beforebegin', badgeMarkup(v.removed, v.badge, Number(rect.getAttribute('width'))));
  set(title, v.tip);
}

function edgesMarkup(g: NetworkGraph): string {
  let out = '';
  for (let k = 0; k < g.edges.length; k++) {
    const edge = g.edges[k],
      points = g.layout.routes[k];
    const tip = `${edge.kind === 'next' ? 'input' : edge.kind} ${edge.from} → ${edge.to}${edge.label ? ` (${edge.label})` : ''}`;
    out += `<path class="edge k-${edge.kind}" d="${pathOf(points)}" data-from="${edge.from}" data-to="${edge.to}" data-kind="${edge.kind}" marker-end="url(#arrow-${edge.kind})"><title>${esc(tip)}</title></path>`;
    if (edge.label && points.length) {
      const mid = points[Math.floor(points.length / 2)];
      out += `<text class="edge-label" x="${mid.x + 4}" y="${mid.y}">${esc(edge.label)}</text>`;
    }
  }
  return out;
}

const translate = (b: GraphBox) => `translate(${b.x - b.width / 2},${b.y - b.height / 2})`;

/**
 * Builds the SVG of a new layout as one string parsed at once (far cheaper than an element at a
 * time for ~1,200 elements); returns the node elements by layer index.
 */
export function paint(root: SVGGElement, g: NetworkGraph, overlay: Overlay | undefined): Map<number, SVGGElement> {
  let nodes = '';
  const shown: GraphNode[] = [];
  const fills: string[] = [];
  for (const n of g.nodes) {
    const b = g.layout.boxes[n.index];
    if (!b) continue;
    const v = nodeView(n, overlay);
    shown.push(n);
    fills.push(v.fill);
    nodes +=
      `<g class="${v.cls}" transform="${translate(b)}" data-index="${n.index}" tabindex="0" role="button" data-type="${esc(n.type)}" aria-label="${esc(v.aria)}">` +
      `<rect width="${b.width}" height="${b.height}" rx="4"/><text class="label" x="8" y="15">${esc(v.label)}</text><text class="shape" x="8" y="31">${esc(v.shape)}</text>` +
      `${v.removed !== undefined ? badgeMarkup(v.removed, v.badge, b.width) : ''}<title>${esc(v.tip)}</title></g>`;
  }
  root.innerHTML = `<g class="edges">${edgesMarkup(g)}</g><g class="nodes">${nodes}</g>`;
  const byIndex = new Map<number, SVGGElement>();
  const elements = root.lastElementChild!.children;
  shown.forEach((n, k) => {
    const e = elements[k] as SVGGElement;
    byIndex.set(n.index, e);
    if (fills[k]) setFill(e.firstElementChild as SVGRectElement, fills[k]);
  });
  return byIndex;
}

/**
 * A new layout of the same layers (an edit moved an edge): the edges are drawn again, the nodes
 * kept and moved, so the browser restyles only what changed. False when the layers differ.
 */
export function relayout(root: SVGGElement, byIndex: Map<number, SVGGElement>, g: NetworkGraph, overlay: Overlay | undefined): boolean {
  const boxes = g.layout.boxes;
  if (byIndex.size !== boxes.length || g.nodes.some((n) => !byIndex.has(n.index) || !boxes[n.index])) return false;
  root.firstElementChild!.innerHTML = edgesMarkup(g);
  for (const n of g.nodes) {
    const e = byIndex.get(n.index)!,
      t = translate(boxes[n.index]);
    if (e.getAttribute('transform') !== t) e.setAttribute('transform', t);
    fill(e, n, overlay);
  }
  return true;
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
