// A trainable 2-D convolution with Darknet's options (stride, padding, dilation, groups) on every
// tfjs backend. tfjs has no `groups`, and tfjs-core's conv2d / depthwiseConv2d gradients refuse
// dilation > 1, so:
//  - groups = in = out channels (depthwise): tf.depthwiseConv2d (its gradient kernels exist on
//    cpu and tensorflow; on wasm we register them, kernels/conv2dBackpropFilterWasm.ts);
//  - other groups: split the channels, one conv2d per group, concat (gradients: Conv2D, SplitV,
//    Concat — all present);
//  - dilation d > 1: forward is the real dilated conv; the gradient is the one of a conv with the
//    "holey" filter (d−1 zeros between taps), which is the same function: dx through
//    Conv2DBackpropInput and dW through Conv2DBackpropFilter of that filter, then its taps.
//    On wasm our Conv2DBackpropFilter takes `dilations` directly and skips the zero taps.

import * as tf from '@tensorflow/tfjs-core';

export type ConvPad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

export interface ConvOptions {
  strides?: number | [number, number];
  pad?: ConvPad;
  dilation?: number;
  groups?: number;
}

/** Filter [kh, kw, ci, co] → [(kh−1)d+1, (kw−1)d+1, ci, co] with zeros between taps (differentiable). */
export function dilateFilter(w: tf.Tensor4D, d: number): tf.Tensor4D {
  if (d === 1) return w;
  return tf.tidy(() => {
    const [kh, kw, ci, co] = w.shape;
    // (No chained ops: tfjs-core alone does not register them.)
    const eh = (kh - 1) * d + 1,
      ew = (kw - 1) * d + 1;
    const rows = tf.reshape(
      tf.pad(tf.reshape(w, [kh, 1, kw, ci, co]), [
        [0, 0],
        [0, d - 1],
        [0, 0],
        [0, 0],
        [0, 0],
      ]),
      [kh * d, kw, ci, co],
    );
    const h = tf.slice(rows, [0, 0, 0, 0], [eh, kw, ci, co]);
    const cols = tf.reshape(
      tf.pad(tf.reshape(h, [eh, kw, 1, ci, co]), [
        [0, 0],
        [0, 0],
        [0, d - 1],
        [0, 0],
        [0, 0],
      ]),
      [eh, kw * d, ci, co],
    );
    return tf.slice(cols, [0, 0, 0, 0], [eh, ew, ci, co]) as tf.Tensor4D;
  });
}

function conv2dDilated(x: tf.Tensor4D, w: tf.Tensor4D, strides: [number, number], pad: ConvPad, d: number): tf.Tensor4D {
  const f = tf.customGrad<tf.Tensor4D>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x4, w4, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x4, w4]);
    return {
      value: tf.conv2d(x4, w4, strides, pad as 'same', 'NHWC', [d, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
        const wEff = dilateFilter(sw, d);
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: wEff }, {
          strides,
          pad,
          dataFormat: 'NHWC',
          inputShape: sx.shape,
        } as never) as tf.Tensor;
        let dw: tf.Tensor;
        if (tf.getBackend() === 'wasm') {
          dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: sx, dy }, {
            strides,
            pad,
            dataFormat: 'NHWC',
            filterShape: sw.shape,
            dilations: [d, d],
          } as never) as tf.Tensor;
        } else {
          const g = tf.engine().runKernel('Conv2DBackpropFilter', { x: sx, dy }, {
            strides,
            pad,
            dataFormat: 'NHWC',
            filterShape: wEff.shape,
          } as never) as tf.Tensor4D;
          dw = tf.stridedSlice(g, [0, 0, 0, 0], g.shape, [d, d, 1, 1]);
        }
        return [dx, dw];
      },
    };
  });
  return f(x, w) as tf.Tensor4D;
}

/**
 * conv2d(x [n, h, w, cin], filter [kh, kw, cin/groups, cout]) with strides, pad, dilation and
 * groups, differentiable with respect to x and filter on cpu, wasm (with our kernels) and tensorflow.
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor4D, opts: ConvOptions = {}): tf.Tensor4D {
  const s = opts.strides ?? 1;
  const strides: [number, number] = typeof s === 'number' ? [s, s] : s;
  const pad = opts.pad ?? 'same';
  const d = opts.dilation ?? 1,
    g = opts.groups ?? 1;
  const [, , cig, co] = filter.shape;
  const ci = x.shape[3];
  if (ci !== cig * g) throw new Error(`conv2d: input has ${ci} channels, filter expects ${cig} × ${g} groups`);
  if (co % g !== 0) throw new Error(`conv2d: ${co} filters are not divisible into ${g} groups`);
  if (g === 1) return d === 1 ? tf.conv2d(x, filter, strides, pad as 'same') : conv2dDilated(x, filter, strides, pad, d);
  return tf.tidy(() => {
    // Grouped convs: the dilation is folded into the filter so the standard gradients apply.
    const w = dilateFilter(filter, d);
    if (cig === 1 && co === g) {
      // Depthwise: filter [kh', kw', 1, c] → [kh', kw', c, 1].
      return tf.depthwiseConv2d(x, tf.reshape(w, [w.shape[0], w.shape[1], co, 1]) as tf.Tensor4D, strides, pad as 'same') as tf.Tensor4D;
    }
    const xs = tf.split(x, g, 3) as tf.Tensor4D[],
      ws = tf.split(w, g, 3) as tf.Tensor4D[];
    return tf.concat(
      xs.map((xg, i) => tf.conv2d(xg, ws[i], strides, pad as 'same')),
      3,
    );
  });
}
