// Evaluation loop: one image at a time (decode, preprocess as darknet, forward, decode heads, NMS,
// match against the labels), so memory holds one image plus the matched predictions.

import type { Network } from '../cfg/network';
import { isDecodedHead } from '../layers';
import { decodeHead, type Detection } from '../nn/decode';
import { letterboxSize, loadImage, prepareInput } from '../nn/image';
import { nms, nmsKindOf } from '../nn/nms';
import { iterateDataset, type ImageList, type Label } from './dataset';
import { MetricsAccumulator, type Prediction, type Summary, type Target } from './metrics';
import { clipToImage, referenceNms } from './reference-nms';

/** Runs the network on one CHW input; returns every head's activated output in darknet's layout. */
export interface HeadSource {
  readonly description: string;
  run(input: Float32Array): Promise<Map<number, Float32Array>>;
  dispose(): Promise<void> | void;
}

export interface EvalOptions {
  /** Candidate threshold (reference 0.001). */
  conf: number;
  /** NMS IoU (reference 0.5). */
  nmsIou: number;
  /** `merge`: the reference's one-label MERGE NMS; `darknet`: darknet's per-class NMS (cfg nms_kind), multi-label. */
  nms: 'merge' | 'darknet';
  prAtScore?: number;
  limit?: number;
  /** Letterbox regardless of the cfg's letter_box. */
  letterbox?: boolean;
  onImage?(done: number, total: number, image: string): void;
}

export interface EvalReport extends Summary {
  runtime: string;
  imagesWithoutLabels: number;
  /** The first image without a label file, with the paths tried. */
  missingLabels?: { image: string; tried: string[] };
  options: { conf: number; nmsIou: number; nms: string; letterbox: boolean; width: number; height: number };
  ms: { total: number; perImage: number };
}

export function targetsOf(labels: Label[], w: number, h: number): Target[] {
  return labels.map((l) => ({ cls: l.cls, box: [(l.cx - l.w / 2) * w, (l.cy - l.h / 2) * h, (l.cx + l.w / 2) * w, (l.cy + l.h / 2) * h] }));
}

function darknetPredictions(dets: Detection[], net: Network, o: EvalOptions, w: number, h: number): Prediction[] {
  const last = net.layers[net.layers.length - 1];
  const kept = nms(dets, o.nmsIou, nmsKindOf(last.attrs.nmsKind), last.attrs.betaNms ?? 0.6);
  const out: Prediction[] = [];
  for (const d of kept) {
    const b = d.bbox;
    d.prob.forEach((p, k) => {
      if (p > o.conf)
        out.push({ cls: k, conf: p, box: [(b.x - b.w / 2) * w, (b.y - b.h / 2) * h, (b.x + b.w / 2) * w, (b.y + b.h / 2) * h] });
    });
  }
  return out.sort((a, b) => b.conf - a.conf);
}

export async function evaluate(
  net: Network,
  source: HeadSource,
  list: ImageList,
  classes: number | undefined,
  o: EvalOptions,
): Promise<EvalReport> {
  const { width: W, height: H, channels: C } = net.net;
  const heads = net.layers.filter(isDecodedHead);
  const letterbox = o.letterbox ?? net.net.letterBox;
  const acc = new MetricsAccumulator();
  const total = Math.min(o.limit ?? Infinity, list.images.length);
  let missing = 0;
  let missingLabels: EvalReport['missingLabels'];
  const t0 = performance.now();
  for (const item of iterateDataset(list, classes, o.limit)) {
    const { image } = loadImage(item.image, C);
    const outs = await source.run(prepareInput(image, W, H, letterbox));
    const dets: Detection[] = [];
    for (const l of heads) {
      for (const d of decodeHead(l, outs.get(l.index)!, { netW: W, netH: H, imageW: image.w, imageH: image.h, letterbox, thresh: o.conf }))
        dets.push(d);
    }
    let preds: Prediction[];
    if (o.nms === 'merge') {
      const inNet = letterbox ? letterboxSize(image.w, image.h, W, H) : { newW: W, newH: H };
      preds = referenceNms(dets, {
        conf: o.conf,
        nmsIou: o.nmsIou,
        imageW: image.w,
        imageH: image.h,
        inNetW: inNet.newW,
        inNetH: inNet.newH,
      });
    } else preds = darknetPredictions(dets, net, o, image.w, image.h);
    clipToImage(preds, image.w, image.h);
    if (!item.labels) {
      missing++;
      missingLabels ??= { image: item.image, tried: item.labelsTried };
    }
    acc.addImage(preds, targetsOf(item.labels ?? [], image.w, image.h));
    o.onImage?.(item.index + 1, total, item.image);
  }
  const ms = performance.now() - t0;
  return {
    ...acc.summary({ prAtScore: o.prAtScore }),
    runtime: source.description,
    imagesWithoutLabels: missing,
    ...(missingLabels ? { missingLabels } : {}),
    options: { conf: o.conf, nmsIou: o.nmsIou, nms: o.nms, letterbox, width: W, height: H },
    ms: { total: Math.round(ms), perImage: acc.images ? ms / acc.images : 0 },
  };
}
