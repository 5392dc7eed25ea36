// A tiny dense reference forward (float64, CHW) for the compensation tests: conv (+BN, groups=1),
// shortcut (unweighted), maxpool, upsample, route. Only what the test networks use.
import type { Network } from '../../core/src/cfg/network';
import type { DarknetWeights } from '../../core/src/weights/read';
import { activationFn } from '../../core/src/prune/activation';

export function forward(net: Network, w: DarknetWeights, input: Float64Array): Float64Array[] {
  const outs: Float64Array[] = [];
  for (const l of net.layers) {
    const [iw, ih, ic] = l.input ?? [0, 0, 0];
    const [ow, oh, oc] = l.output!;
    const x = l.index > 0 ? outs[l.index - 1] : input;
    const y = new Float64Array(ow * oh * oc);
    const a = l.attrs;
    if (l.type === 'convolutional') {
      const b = w.layers[l.index]!.blocks,
        k = a.size!,
        s = a.strideX!,
        p = a.padding!;
      const f = activationFn(a.activation);
      for (let o = 0; o < oc; o++)
        for (let yy = 0; yy < oh; yy++)
          for (let xx = 0; xx < ow; xx++) {
            let acc = 0;
            for (let c = 0; c < ic; c++)
              for (let ky = 0; ky < k; ky++)
                for (let kx = 0; kx < k; kx++) {
                  const sy = yy * s - p + ky,
                    sx = xx * s - p + kx;
                  if (sy < 0 || sx < 0 || sy >= ih || sx >= iw) continue;
                  acc += b.weights![((o * ic + c) * k + ky) * k + kx] * x[(c * ih + sy) * iw + sx];
                }
            if (a.batchNormalize)
              acc = (b.scales![o] * (acc - b.rolling_mean![o])) / Math.sqrt(b.rolling_variance![o] + 0.00001) + b.biases![o];
            else acc += b.biases![o];
            y[(o * oh + yy) * ow + xx] = f(acc);
          }
    } else if (l.type === 'shortcut') {
      const f = activationFn(a.activation);
      const from = l.refs.map((r) => outs[r.target]);
      for (let j = 0; j < y.length; j++) y[j] = f(x[j] + from.reduce((acc, v) => acc + v[j], 0));
    } else if (l.type === 'maxpool') {
      const k = a.size!,
        s = a.strideX!,
        off = Math.trunc(a.padding! / 2);
      for (let c = 0; c < oc; c++)
        for (let yy = 0; yy < oh; yy++)
          for (let xx = 0; xx < ow; xx++) {
            let m = -Infinity;
            for (let ky = 0; ky < k; ky++)
              for (let kx = 0; kx < k; kx++) {
                const sy = yy * s - off + ky,
                  sx = xx * s - off + kx;
                if (sy >= 0 && sx >= 0 && sy < ih && sx < iw) m = Math.max(m, x[(c * ih + sy) * iw + sx]);
              }
            y[(c * oh + yy) * ow + xx] = m;
          }
    } else if (l.type === 'upsample') {
      const s = a.stride!;
      for (let c = 0; c < oc; c++)
        for (let yy = 0; yy < oh; yy++)
          for (let xx = 0; xx < ow; xx++)
            y[(c * oh + yy) * ow + xx] = a.scale! * x[(c * ih + Math.trunc(yy / s)) * iw + Math.trunc(xx / s)];
    } else if (l.type === 'route') {
      const g = a.groups!,
        gid = a.groupId!;
      let pos = 0;
      for (const r of l.refs) {
        const src = outs[r.target],
          n = src.length / g;
        y.set(src.subarray(gid * n, (gid + 1) * n), pos);
        pos += n;
      }
    } else throw new Error(`forward: ${l.type} not supported`);
    outs.push(y);
  }
  return outs;
}
