// Detection panel: each image of a `detect` run with its boxes, labels and scores. The run sent
// every box above a low floor before NMS; the score slider, the NMS kind and the NMS IoU select
// from them here with the CLI's own selection (core/src/nn/select-detections.ts), so at the CLI's
// defaults the boxes are exactly those `darknet-pruner detect` prints.
import {
  detectionRows,
  fromCandidates,
  NMS_CHOICES,
  selectDetections,
  type NmsChoice,
  type Selection,
} from '../../core/src/nn/select-detections';
import { h } from './shared/dom';
import type { DetectImageView, DetectView } from './shared/protocol';
import { el, valueOf } from './shared/toolkit';
import { viewPanel } from './shared/viewPanel';

/** What the user chose, kept across reloads; a fresh panel starts from the CLI's defaults. */
interface DetectUi {
  thresh: number;
  kind: NmsChoice;
  nmsThresh: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const PALETTE = 6;
const KIND_LABELS: Record<NmsChoice, string> = {
  default: 'IoU (default)',
  greedynms: 'greedynms (DIoU)',
  diounms: 'diounms (DIoU, beta_nms)',
  none: 'none',
};

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

const state: { view?: DetectView; ui?: DetectUi } = {};
const root = document.getElementById('app')!;
const title = h('h2', { 'data-testid': 'detect-title' });
const subtitle = h('p', { class: 'muted', 'data-testid': 'detect-backend' });
const slider = h('input', {
  type: 'range',
  min: '0',
  max: '1',
  step: '0.005',
  'data-testid': 'thresh-slider',
  'aria-label': 'Score threshold',
});
const threshText = h('span', { 'data-testid': 'thresh-value' });
const kindSelect = el('dropdown', { 'data-testid': 'nms-kind', 'aria-label': 'NMS kind' });
const nmsSlider = h('input', {
  type: 'range',
  min: '0',
  max: '1',
  step: '0.05',
  'data-testid': 'nms-slider',
  'aria-label': 'NMS IoU threshold',
});
const nmsText = h('span', { 'data-testid': 'nms-value' });
const reset = el('button', { 'data-testid': 'reset', appearance: 'secondary' }, 'CLI defaults');
const summary = h('p', { 'data-testid': 'detect-summary', role: 'status', 'aria-live': 'polite' });
const images = h('div', { class: 'detect-images' });
root.append(
  title,
  subtitle,
  h(
    'div',
    { class: 'controls' },
    h('label', {}, 'Score > ', slider, ' ', threshText),
    h('label', {}, 'NMS ', kindSelect),
    h('label', {}, 'IoU > ', nmsSlider, ' ', nmsText),
    reset,
  ),
  summary,
  images,
);

const nameOf = (k: number) => state.view?.names?.[k] || String(k);

function selection(): Selection {
  const ui = state.ui!;
  return { thresh: ui.thresh, nms: { ...state.view!.defaults.nms, kind: ui.kind, thresh: ui.nmsThresh } };
}

function drawImage(img: DetectImageView, s: Selection): { figure: HTMLElement; count: number } {
  const found = selectDetections(fromCandidates(img.candidates, state.view!.classes), s, img.width, img.height);
  const rows = detectionRows(found, nameOf);
  const overlay = svg('svg', {
    class: 'detect-boxes',
    viewBox: `0 0 ${img.width} ${img.height}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `${rows.length} detections`,
  });
  const font = Math.max(12, Math.round(Math.max(img.width, img.height) / 45));
  // Lowest score first, so the most probable box is drawn on top.
  for (const [i, r] of [...rows.entries()].reverse()) {
    const g = svg('g', { class: `det c${r.class % PALETTE}`, 'data-testid': 'detection-box', 'data-index': i });
    const label = `${r.name} ${(r.prob * 100).toFixed(0)}%`;
    // The tag above the box, kept inside the image.
    const tagW = label.length * font * 0.62 + font * 0.4,
      tagH = font * 1.3;
    const tagX = Math.max(0, Math.min(r.left, img.width - tagW)),
      tagY = Math.max(0, r.top - tagH);
    g.append(
      svg('rect', { class: 'box', x: r.left, y: r.top, width: r.width, height: r.height }),
      svg('rect', { class: 'tag', x: tagX, y: tagY, width: tagW, height: tagH }),
      svg('text', { x: tagX + font * 0.2, y: tagY + font, 'font-size': font }, label),
      svg('title', {}, `${r.name}: ${(r.prob * 100).toFixed(2)}%  left ${r.left} top ${r.top} width ${r.width} height ${r.height}`),
    );
    overlay.append(g);
  }
  const picture = h('img', {
    src: img.src,
    alt: img.path,
    width: String(img.width),
    height: String(img.height),
    'data-testid': 'detect-image',
  });
  const list = h(
    'ol',
    { class: 'detect-list', 'data-testid': 'detection-list' },
    ...rows.map((r) =>
      h(
        'li',
        { 'data-testid': 'detection-row', 'data-row': JSON.stringify(r) },
        h('span', { class: `swatch c${r.class % PALETTE}` }),
        `${r.name}: ${(r.prob * 100).toFixed(1)}%  left ${r.left} top ${r.top} width ${r.width} height ${r.height}`,
      ),
    ),
  );
  const name = img.path.split(/[\\/]/).pop()!;
  const figure = h(
    'figure',
    { class: 'detect-figure', 'data-testid': 'detect-figure', 'data-path': img.path, 'data-count': String(rows.length) },
    h('figcaption', {}, h('strong', {}, name), ` ${img.width}×${img.height}, ${rows.length} detection(s), ${img.ms} ms`),
    h('div', { class: 'detect-stage' }, picture, overlay),
    list,
  );
  return { figure, count: rows.length };
}

function render(): void {
  const view = state.view,
    ui = state.ui;
  if (!view || !ui) return;
  slider.value = String(ui.thresh);
  threshText.textContent = ui.thresh.toFixed(3);
  (kindSelect as HTMLElement & { value: string }).value = ui.kind;
  nmsSlider.value = String(ui.nmsThresh);
  nmsText.textContent = ui.nmsThresh.toFixed(2);
  const s = selection();
  const t0 = performance.now();
  const drawn = view.images.map((img) => drawImage(img, s));
  images.replaceChildren(...drawn.map((d) => d.figure));
  const total = drawn.reduce((n, d) => n + d.count, 0);
  const atDefaults = ui.thresh === view.defaults.thresh && ui.kind === view.defaults.nms.kind && ui.nmsThresh === view.defaults.nms.thresh;
  summary.textContent =
    `${total} detection(s) in ${view.images.length} image(s) at score > ${ui.thresh.toFixed(3)}, NMS ${ui.kind}${ui.kind === 'none' ? '' : ` ${ui.nmsThresh}`}` +
    `${atDefaults ? " (the CLI's defaults)" : ''}; selected in ${(performance.now() - t0).toFixed(1)} ms`;
  summary.dataset.defaults = String(atDefaults);
  summary.dataset.total = String(total);
}

function update(change: Partial<DetectUi>): void {
  if (!state.ui) return;
  state.ui = { ...state.ui, ...change };
  panel.saveUi(state.ui);
  render();
}

function showView(view: DetectView, saved: DetectUi | undefined): void {
  state.view = view;
  const d = view.defaults;
  const ui = saved ?? { thresh: d.thresh, kind: d.nms.kind, nmsThresh: d.nms.thresh };
  state.ui = { ...ui, thresh: Math.min(1, Math.max(view.floor, ui.thresh)) };
  title.textContent = `Detections — ${view.title}`;
  subtitle.textContent = `${view.backend}; ${view.names ? `${view.names.length} class names` : 'classes by number'}; boxes above ${view.floor} sent before NMS`;
  slider.min = String(view.floor);
  kindSelect.replaceChildren(...NMS_CHOICES.map((k) => el('option', { value: k }, `${KIND_LABELS[k]}${k === d.nms.kind ? ' — cfg' : ''}`)));
  render();
}

slider.addEventListener('input', () => update({ thresh: Number(slider.value) }));
nmsSlider.addEventListener('input', () => update({ nmsThresh: Number(nmsSlider.value) }));
kindSelect.addEventListener('change', () => {
  const k = valueOf(kindSelect) as NmsChoice;
  if (NMS_CHOICES.includes(k)) update({ kind: k });
});
reset.addEventListener('click', () => {
  const d = state.view?.defaults;
  if (d) update({ thresh: d.thresh, kind: d.nms.kind, nmsThresh: d.nms.thresh });
});

const panel = viewPanel<'detect', DetectUi>('detect', (_root, view, p) => showView(view, p.ui));
