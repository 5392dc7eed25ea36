// Detection metrics exactly as the reference tool computes them (docs/evaluation.md §Reference
// protocols, tanluren test.py / utils.ap_per_class / compute_ap): per-image greedy matching in
// confidence order with the "best target already matched ⇒ FP" quirk, per-class PR curves, P and R at
// the end of the curve, 101-point trapezoidal AP over the precision envelope with numpy.interp
// semantics, means over the classes that have ground truth. Optionally P and R read at a score
// (TNTWEN, same section).

/** Corner box [x1, y1, x2, y2], any consistent unit. */
export type Xyxy = [number, number, number, number];

export interface Prediction {
  cls: number;
  conf: number;
  box: Xyxy;
}
export interface Target {
  cls: number;
  box: Xyxy;
}

/** IoU thresholds of mAP@0.5:0.95 (0.5, 0.55, …, 0.95). */
export const IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) => Math.round((0.5 + 0.05 * i) * 100) / 100);

export function iou(a: Xyxy, b: Xyxy): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const inter = Math.max(0, iw) * Math.max(0, ih);
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Reference matching for one image at one IoU threshold. `preds` must be in descending confidence.
 * Walk the predictions: stop once every target is matched (the rest stay FP); a class absent from the
 * image's targets is FP; otherwise take the best-IoU target of that class, matched or not, and count
 * TP only if IoU > thr and that target is still free.
 */
export function matchImage(preds: Prediction[], targets: Target[], thr: number): boolean[] {
  const tp = new Array<boolean>(preds.length).fill(false);
  if (targets.length === 0) return tp;
  const classes = new Set(targets.map((t) => t.cls));
  const detected = new Set<number>();
  for (let i = 0; i < preds.length; i++) {
    if (detected.size === targets.length) break;
    const p = preds[i];
    if (!classes.has(p.cls)) continue;
    let best = -1,
      bestIou = -1;
    targets.forEach((t, j) => {
      if (t.cls !== p.cls) return;
      const v = iou(p.box, t.box);
      if (v > bestIou) {
        bestIou = v;
        best = j;
      } // first maximum, like torch's max(0)
    });
    if (bestIou > thr && !detected.has(best)) {
      tp[i] = true;
      detected.add(best);
    }
  }
  return tp;
}

/** numpy.interp(x, xp, fp) for increasing (non-strictly) xp. */
export function interp(x: number, xp: ArrayLike<number>, fp: ArrayLike<number>): number {
  const n = xp.length;
  if (n === 0) throw new Error('interp: empty xp');
  if (x < xp[0]) return fp[0];
  if (x >= xp[n - 1]) return fp[n - 1];
  // last j with xp[j] <= x
  let lo = 0,
    hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid] <= x) lo = mid;
    else hi = mid;
  }
  const slope = (fp[lo + 1] - fp[lo]) / (xp[lo + 1] - xp[lo]);
  return slope * (x - xp[lo]) + fp[lo];
}

/** compute_ap: 101-point trapezoid over the right-to-left precision envelope. */
export function computeAp(recall: ArrayLike<number>, precision: ArrayLike<number>): number {
  const n = recall.length;
  const mrec = [0, ...Array.from(recall), Math.min(recall[n - 1] + 1e-3, 1)];
  const mpre = [0, ...Array.from(precision), 0];
  for (let i = mpre.length - 1; i > 0; i--) mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
  let ap = 0,
    prevX = 0,
    prevY = interp(0, mrec, mpre);
  for (let i = 1; i <= 100; i++) {
    const x = i === 100 ? 1 : i * 0.01;
    const y = interp(x, mrec, mpre);
    ap += ((x - prevX) * (y + prevY)) / 2;
    prevX = x;
    prevY = y;
  }
  return ap;
}

export interface ClassResult {
  cls: number;
  /** Ground-truth boxes of the class. */
  targets: number;
  predictions: number;
  precision: number;
  recall: number;
  f1: number;
  ap50: number;
  /** Mean AP over IoU 0.5:0.05:0.95. */
  ap: number;
}

export interface Summary {
  images: number;
  targets: number;
  predictions: number;
  precision: number;
  recall: number;
  f1: number;
  map50: number;
  map: number;
  /** Where P and R were read: the end of each PR curve (reference) or a score. */
  prAt: 'end' | number;
  classes: ClassResult[];
}

/**
 * Accumulates matched predictions image by image (O(predictions) memory, no images), then computes the
 * per-class curves. Ties in confidence keep arrival order (numpy's default sort is unstable; its tie
 * order is not reproducible in general).
 */
export class MetricsAccumulator {
  private conf = new Float64Array(1024);
  private cls = new Int32Array(1024);
  /** tp bits per IoU threshold: bit k ⇔ TP at IOU_THRESHOLDS[k]. */
  private tp = new Uint16Array(1024);
  private n = 0;
  private readonly gtCount = new Map<number, number>();
  images = 0;

  private push(conf: number, cls: number, tp: number): void {
    if (this.n === this.conf.length) {
      const grow = <T extends Float64Array | Int32Array | Uint16Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      this.conf = grow(this.conf, new Float64Array(2 * this.n));
      this.cls = grow(this.cls, new Int32Array(2 * this.n));
      this.tp = grow(this.tp, new Uint16Array(2 * this.n));
    }
    this.conf[this.n] = conf;
    this.cls[this.n] = cls;
    this.tp[this.n] = tp;
    this.n++;
  }

  addImage(preds: Prediction[], targets: Target[]): void {
    this.images++;
    for (const t of targets) this.gtCount.set(t.cls, (this.gtCount.get(t.cls) ?? 0) + 1);
    const sorted = [...preds].sort((a, b) => b.conf - a.conf);
    const bits = new Array<number>(sorted.length).fill(0);
    IOU_THRESHOLDS.forEach((thr, k) => {
      matchImage(sorted, targets, thr).forEach((hit, i) => {
        if (hit) bits[i] |= 1 << k;
      });
    });
    sorted.forEach((p, i) => this.push(p.conf, p.cls, bits[i]));
  }

  /** `prAtScore`: read P and R at this score (numpy.interp on −conf, as TNTWEN) instead of at the end. */
  summary(opts: { prAtScore?: number } = {}): Summary {
    const n = this.n;
    return summarize(
      {
        conf: this.conf.subarray(0, n),
        cls: this.cls.subarray(0, n),
        tp: this.tp.subarray(0, n),
        gtCount: this.gtCount,
        images: this.images,
      },
      opts,
    );
  }
}

export interface MatchedPredictions {
  conf: ArrayLike<number>;
  cls: ArrayLike<number>;
  /** Bit k set ⇔ TP at IOU_THRESHOLDS[k]. */
  tp: ArrayLike<number>;
  gtCount: Map<number, number>;
  images: number;
}

/** ap_per_class over matched predictions; the classes are those with ground truth. */
export function summarize(m: MatchedPredictions, opts: { prAtScore?: number } = {}): Summary {
  const classes = [...m.gtCount.keys()].sort((a, b) => a - b);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < m.cls.length; i++) {
    const c = m.cls[i];
    if (m.gtCount.has(c)) {
      let l = byClass.get(c);
      if (!l) byClass.set(c, (l = []));
      l.push(i);
    }
  }
  const results = classes.map((c) => classResult(c, m.gtCount.get(c)!, byClass.get(c) ?? [], m.conf, m.tp, opts.prAtScore));
  const mean = (f: (r: ClassResult) => number) => (results.length ? results.reduce((s, r) => s + f(r), 0) / results.length : 0);
  return {
    images: m.images,
    targets: [...m.gtCount.values()].reduce((s, v) => s + v, 0),
    predictions: m.conf.length,
    precision: mean((r) => r.precision),
    recall: mean((r) => r.recall),
    f1: mean((r) => r.f1),
    map50: mean((r) => r.ap50),
    map: mean((r) => r.ap),
    prAt: opts.prAtScore ?? 'end',
    classes: results,
  };
}

function classResult(
  cls: number,
  nGt: number,
  idx: number[],
  conf: ArrayLike<number>,
  tp: ArrayLike<number>,
  prAtScore: number | undefined,
): ClassResult {
  const order = [...idx].sort((a, b) => conf[b] - conf[a]);
  const empty = { cls, targets: nGt, predictions: order.length, precision: 0, recall: 0, f1: 0, ap50: 0, ap: 0 };
  if (order.length === 0 || nGt === 0) return empty;
  const aps: number[] = [];
  let p = 0,
    r = 0;
  IOU_THRESHOLDS.forEach((_, k) => {
    const recall = new Float64Array(order.length),
      precision = new Float64Array(order.length);
    let tpc = 0;
    order.forEach((i, n) => {
      tpc += (tp[i] >> k) & 1;
      recall[n] = tpc / (nGt + 1e-16);
      precision[n] = tpc / (n + 1);
    });
    aps.push(computeAp(recall, precision));
    if (k !== 0) return;
    if (prAtScore === undefined) {
      p = precision[order.length - 1];
      r = recall[order.length - 1];
    } else {
      const negConf = order.map((i) => -conf[i]);
      p = interp(-prAtScore, negConf, precision);
      r = interp(-prAtScore, negConf, recall);
    }
  });
  return {
    ...empty,
    precision: p,
    recall: r,
    f1: (2 * p * r) / (p + r + 1e-16),
    ap50: aps[0],
    ap: aps.reduce((s, v) => s + v, 0) / aps.length,
  };
}
