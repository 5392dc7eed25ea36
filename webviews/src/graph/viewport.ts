// Zoom and pan of the graph's SVG: wheel scrolls, Ctrl/⌘+wheel zooms at the pointer, dragging the
// background pans; fit, zoom buttons and centring on a node.
import type { GraphBox as Box } from '../shared/protocol';

export interface View {
  x: number;
  y: number;
  k: number;
}

const MIN_K = 0.1;
const MAX_K = 3;

export class Viewport {
  view: View = { x: 0, y: 0, k: 1 };
  private drag: { x: number; y: number; px: number; py: number } | undefined;
  private fixedSize: { w: number; h: number } | undefined;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly layer: SVGGElement,
    private readonly onChange: (v: View) => void,
  ) {
    svg.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        if (e.ctrlKey || e.metaKey) this.zoomAt(Math.exp(-e.deltaY / 300), e.offsetX, e.offsetY);
        else this.set({ ...this.view, x: this.view.x - e.deltaX, y: this.view.y - e.deltaY });
      },
      { passive: false },
    );
    svg.addEventListener('pointerdown', (e) => {
      if ((e.target as Element).closest('.node')) return;
      this.drag = { x: this.view.x, y: this.view.y, px: e.clientX, py: e.clientY };
      svg.setPointerCapture(e.pointerId);
      svg.classList.add('panning');
    });
    svg.addEventListener('pointermove', (e) => {
      if (this.drag) this.set({ ...this.view, x: this.drag.x + e.clientX - this.drag.px, y: this.drag.y + e.clientY - this.drag.py });
    });
    const end = () => {
      this.drag = undefined;
      svg.classList.remove('panning');
    };
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
  }

  private get size() {
    if (this.fixedSize) return this.fixedSize;
    const r = this.svg.getBoundingClientRect();
    return { w: r.width || 800, h: r.height || 600 };
  }

  /**
   * Runs fn with the canvas size read before it changes the document: fitting or revealing after
   * a new SVG is in place would otherwise force a layout of all of it in the middle of the script.
   */
  sized<T>(fn: () => T): T {
    this.fixedSize = this.size;
    try {
      return fn();
    } finally {
      this.fixedSize = undefined;
    }
  }

  set(v: View): void {
    this.view = { x: v.x, y: v.y, k: Math.min(MAX_K, Math.max(MIN_K, v.k)) };
    this.layer.setAttribute('transform', `translate(${this.view.x},${this.view.y}) scale(${this.view.k})`);
    this.onChange(this.view);
  }

  zoomAt(factor: number, cx: number, cy: number): void {
    const k = Math.min(MAX_K, Math.max(MIN_K, this.view.k * factor));
    const f = k / this.view.k;
    this.set({ k, x: cx - (cx - this.view.x) * f, y: cy - (cy - this.view.y) * f });
  }

  zoom(factor: number): void {
    const { w, h } = this.size;
    this.zoomAt(factor, w / 2, h / 2);
  }

  /** The graph's width fits (at most 1:1), its top at the top. */
  fit(width: number): void {
    const { w } = this.size;
    const k = Math.min(1, Math.max(MIN_K, (w - 16) / Math.max(1, width)));
    this.set({ k, x: (w - width * k) / 2, y: 8 });
  }

  /** Centres a node when it is not (fully) in sight. */
  reveal(b: Box, always = false): void {
    const { w, h } = this.size;
    const { x, y, k } = this.view;
    const left = x + (b.x - b.width / 2) * k,
      right = x + (b.x + b.width / 2) * k;
    const top = y + (b.y - b.height / 2) * k,
      bottom = y + (b.y + b.height / 2) * k;
    if (!always && left >= 0 && right <= w && top >= 0 && bottom <= h) return;
    this.set({ k, x: w / 2 - b.x * k, y: h / 2 - b.y * k });
  }
}
