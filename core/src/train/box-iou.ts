// Box overlap measures of darknet's box.c (centre x, y, width, height, all relative to the image) and
// their exact partial derivatives with respect to the predicted box, by forward-mode automatic
// differentiation (a value plus its four partials ∂/∂x, ∂/∂y, ∂/∂w, ∂/∂h).

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type IouKind = 'iou' | 'giou' | 'diou' | 'ciou';

/** A value and its partials with respect to the predicted box (x, y, w, h). */
class D {
  constructor(
    readonly v: number,
    readonly d: readonly [number, number, number, number] = [0, 0, 0, 0],
  ) {}
  static c(v: number): D {
    return new D(v);
  }
  add(o: D): D {
    return new D(this.v + o.v, [this.d[0] + o.d[0], this.d[1] + o.d[1], this.d[2] + o.d[2], this.d[3] + o.d[3]]);
  }
  sub(o: D): D {
    return new D(this.v - o.v, [this.d[0] - o.d[0], this.d[1] - o.d[1], this.d[2] - o.d[2], this.d[3] - o.d[3]]);
  }
  mul(o: D): D {
    const a = this.v,
      b = o.v;
    return new D(a * b, [this.d[0] * b + a * o.d[0], this.d[1] * b + a * o.d[1], this.d[2] * b + a * o.d[2], this.d[3] * b + a * o.d[3]]);
  }
  div(o: D): D {
    const a = this.v,
      b = o.v,
      b2 = b * b;
    return new D(a / b, [
      (this.d[0] * b - a * o.d[0]) / b2,
      (this.d[1] * b - a * o.d[1]) / b2,
      (this.d[2] * b - a * o.d[2]) / b2,
      (this.d[3] * b - a * o.d[3]) / b2,
    ]);
  }
  scale(k: number): D {
    return new D(this.v * k, [this.d[0] * k, this.d[1] * k, this.d[2] * k, this.d[3] * k]);
  }
  atan(): D {
    const k = 1 / (1 + this.v * this.v);
    return new D(Math.atan(this.v), [this.d[0] * k, this.d[1] * k, this.d[2] * k, this.d[3] * k]);
  }
  sq(): D {
    return this.mul(this);
  }
}
const max = (a: D, b: D): D => (a.v >= b.v ? a : b);
const min = (a: D, b: D): D => (a.v <= b.v ? a : b);
const ZERO = D.c(0);

/** Overlap of two 1-D segments given by centre and length (darknet's `overlap`). */
function overlap(x1: D, w1: D, x2: D, w2: D): D {
  const l = max(x1.sub(w1.scale(0.5)), x2.sub(w2.scale(0.5)));
  const r = min(x1.add(w1.scale(0.5)), x2.add(w2.scale(0.5)));
  return r.sub(l);
}

function measure(pred: Box, truth: Box, kind: IouKind): D {
  const px = new D(pred.x, [1, 0, 0, 0]),
    py = new D(pred.y, [0, 1, 0, 0]);
  const pw = new D(pred.w, [0, 0, 1, 0]),
    ph = new D(pred.h, [0, 0, 0, 1]);
  const tx = D.c(truth.x),
    ty = D.c(truth.y),
    tw = D.c(truth.w),
    th = D.c(truth.h);
  const ow = overlap(px, pw, tx, tw),
    oh = overlap(py, ph, ty, th);
  // darknet's box_intersection: 0 when either overlap is negative.
  const inter = ow.v < 0 || oh.v < 0 ? ZERO : ow.mul(oh);
  const union = pw.mul(ph).add(tw.mul(th)).sub(inter);
  if (union.v === 0) return ZERO;
  const iou = inter.div(union);
  if (kind === 'iou') return iou;
  // Smallest enclosing box.
  const left = min(px.sub(pw.scale(0.5)), tx.sub(tw.scale(0.5))),
    right = max(px.add(pw.scale(0.5)), tx.add(tw.scale(0.5)));
  const top = min(py.sub(ph.scale(0.5)), ty.sub(th.scale(0.5))),
    bottom = max(py.add(ph.scale(0.5)), ty.add(th.scale(0.5)));
  const cw = right.sub(left),
    ch = bottom.sub(top);
  if (kind === 'giou') {
    const c = cw.mul(ch);
    if (c.v === 0) return iou;
    return iou.sub(c.sub(union).div(c));
  }
  const c2 = cw.sq().add(ch.sq());
  if (c2.v === 0) return iou;
  const rho2 = px.sub(tx).sq().add(py.sub(ty).sq());
  const diou = iou.sub(rho2.div(c2));
  if (kind === 'diou') return diou;
  // CIoU: − α·v, v = 4/π²·(atan(wt/ht) − atan(w/h))², α = v / (1 − IoU + v) (α differentiated too).
  const v = tw
    .div(th)
    .atan()
    .sub(pw.div(ph).atan())
    .sq()
    .scale(4 / (Math.PI * Math.PI));
  const denom = D.c(1).sub(iou).add(v);
  if (denom.v === 0) return diou;
  return diou.sub(v.div(denom).mul(v));
}

/** The overlap measure (IoU, GIoU, DIoU or CIoU) of a predicted and a true box. */
export function boxMeasure(pred: Box, truth: Box, kind: IouKind = 'iou'): number {
  return measure(pred, truth, kind).v;
}

/** The measure and its partials ∂/∂(x, y, w, h) of the predicted box. */
export function boxMeasureGrad(pred: Box, truth: Box, kind: IouKind): { value: number; grad: [number, number, number, number] } {
  const m = measure(pred, truth, kind);
  return { value: m.v, grad: [m.d[0], m.d[1], m.d[2], m.d[3]] };
}

/** darknet's box_iou (in float64; darknet computes it in float32). */
export const boxIou = (a: Box, b: Box): number => measure(a, b, 'iou').v;
