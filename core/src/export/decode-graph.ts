// `export onnx --decode`: darknet's [yolo] activation and box decoding (docs/network.md §Heads, §Decoding)
// as ONNX ops, all heads concatenated. Per candidate k (head order, then anchor slot, row, column):
//   boxes[k]       = (bx, by, bw, bh), centre/size relative to the network input (0..1);
//                    bx = (col + x)/W, bw = exp(tw)·anchor_w/net_w (new_coords: 4·tw²·anchor_w/net_w)
//   objectness[k]  = σ(t_o)            (new_coords: t_o, the conv already applied logistic)
//   class_probs[k] = σ(t_c) per class  (darknet's prob = objectness·class_prob)
// with x = σ(tx)·scale_x_y − (scale_x_y − 1)/2. The letterbox correction depends on the image and
// stays outside the graph.

import type { Layer, Network } from '../cfg/network';
import { headOf } from '../layers';
import { OnnxExportError, type GraphBuilder } from './onnx-graph';

export const DECODE_OUTPUTS = ['boxes', 'objectness', 'class_probs'] as const;

function yoloHead(g: GraphBuilder, net: Network, l: Layer, x: string): string {
  const a = l.attrs;
  const A = a.mask!.length,
    E = a.classes! + 5;
  const [W, H] = l.output!;
  const anchors = a.anchors ?? [];
  for (const m of a.mask!) {
    if (m < 0 || 2 * m + 1 >= anchors.length)
      throw new OnnxExportError(`mask value ${m} needs anchors[${2 * m + 1}], anchors holds ${anchors.length} values`, l);
  }
  const r = g.op('Reshape', [x, g.ints([0, A, E, H, W])], {}, `l${l.index}_cells`);
  const part = (from: number, to: number) => g.op('Slice', [r, g.ints([from]), g.ints([to]), g.ints([2])]);
  const wh = part(2, 4);
  let xy = part(0, 2),
    rest = part(4, E);
  if (!a.newCoords) {
    xy = g.op('Sigmoid', [xy]);
    rest = g.op('Sigmoid', [rest]);
  }
  const s = Math.fround(a.scaleXY ?? 1);
  if (s !== 1) xy = g.op('Add', [g.op('Mul', [xy, g.scalar(s)]), g.scalar(Math.fround(-0.5 * (s - 1)))]);
  const grid = new Float32Array(2 * H * W);
  for (let y = 0; y < H; y++)
    for (let c = 0; c < W; c++) {
      grid[y * W + c] = c;
      grid[H * W + y * W + c] = y;
    }
  const gridT = g.floatTensor(`l${l.index}_grid`, grid, [1, 1, 2, H, W]);
  const bxy = g.op('Div', [g.op('Add', [xy, gridT]), g.floatTensor('grid_size', new Float32Array([W, H]), [1, 1, 2, 1, 1])]);
  const anc = new Float32Array(2 * A);
  a.mask!.forEach((m, i) => {
    anc[2 * i] = anchors[2 * m];
    anc[2 * i + 1] = anchors[2 * m + 1];
  });
  const netSize = g.floatTensor('net_size', new Float32Array([net.net.width, net.net.height]), [1, 1, 2, 1, 1]);
  const ancT = g.floatTensor(`l${l.index}_anchors`, a.newCoords ? anc.map((v) => 4 * v) : anc, [1, A, 2, 1, 1]);
  const base = a.newCoords ? g.op('Mul', [wh, wh]) : g.op('Exp', [wh]);
  const bwh = g.op('Div', [g.op('Mul', [base, ancT]), netSize]);
  const cells = g.op('Concat', [bxy, bwh, rest], { axis: 2 });
  const t = g.op('Transpose', [cells], { perm: [0, 1, 3, 4, 2] });
  return g.op('Reshape', [t, g.ints([0, A * H * W, E])], {}, `l${l.index}_decoded`);
}

export function addDecode(g: GraphBuilder, net: Network, heads: { layer: Layer; value: string }[]): { boxes: number; classes: number } {
  const classes = heads[0].layer.attrs.classes!;
  let boxes = 0;
  const parts = heads.map(({ layer: l, value }) => {
    if (headOf(l)?.decoder !== 'yolo')
      throw new OnnxExportError(
        `--decode supports [yolo] heads; export [${l.section.name}] without --decode and decode it outside the graph`,
        l,
      );
    if (l.attrs.classes !== classes)
      throw new OnnxExportError(`classes=${l.attrs.classes} differs from the first head's ${classes}; decoded heads are concatenated`, l);
    boxes += l.attrs.mask!.length * l.output![0] * l.output![1];
    return yoloHead(g, net, l, value);
  });
  const all = parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: 1 });
  const slice = (from: number, to: number, out: string) =>
    g.node('Slice', [all, g.ints([from]), g.ints([to]), g.ints([2])], {}, out, 1, true)[0];
  slice(0, 4, 'boxes');
  g.node('Reshape', [slice(4, 5, 'objectness_1'), g.ints([0, boxes])], {}, 'objectness', 1, true);
  slice(5, 5 + classes, 'class_probs');
  return { boxes, classes };
}
