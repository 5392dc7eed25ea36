// What [sam] and [scale_channels] share (sam_layer.c, scale_channels_layer.c; docs/network.md
// §Layer semantics): out = act(in · from), element-wise or broadcast.

import type { Shape } from '../cfg/network';
import { act, refs } from './keys';
import type { AnalyseContext, CheckContext, Forward, KeySpec, OnnxContext } from './spec';

export const MULTIPLY_KEYS: Record<string, KeySpec> = { from: refs('Layer multiplied by the input.'), activation: act('linear') };

export function analyseMultiply({ layer, o, a, input, prev, refLayers }: AnalyseContext, scaleWH: boolean): void {
  a.activation = o.str('activation');
  a.scaleWH = scaleWH && o.int('scale_wh') !== 0;
  const from = refLayers[0];
  if (!input || !from?.output) return;
  layer.output = [...from.output];
  layer.outputs = from.outputs;
  layer.rf = from.rf && prev.rf ? { size: Math.max(from.rf.size, prev.rf.size), stride: from.rf.stride } : undefined;
}

/** A check that the input fits the `from` layer (sam: same shape; scale_channels: 1×1×C, or W×H×1). */
export function multiplyCheck(fits: (input: Shape, from: Shape, scaleWH: boolean | undefined) => boolean) {
  return {
    check({ net, layer, push }: CheckContext): void {
      const valid = layer.refs.filter((r) => r.valid);
      const from = valid[0] && net.layers[valid[0].target].output;
      const input = layer.input;
      if (!from || !input) return;
      if (!fits(input, from, layer.attrs.scaleWH)) {
        push({
          range: valid[0].range,
          severity: 'error',
          code: 'shape-mismatch',
          layer: layer.index,
          message: `[${layer.type}] input ${input.join('×')} does not fit layer ${valid[0].target} (${from.join('×')})`,
        });
      }
    },
    forward: {
      check(l, n) {
        const from = n.layers[l.sources[1]]?.output;
        if (!from) return 'the from layer has no output';
        if (!fits(l.input!, from, l.attrs.scaleWH)) return `input ${l.input!.join('×')} does not fit the from layer ${from.join('×')}`;
        return undefined;
      },
      run: ({ tf, ops, layer: l, x, src }) => ops.activate(tf.mul(x, src(l.sources[1])), l.attrs.activation ?? 'linear') as typeof x,
    } satisfies Forward,
    onnx({ g, net, layer: l, x, out, act: activation, fail }: OnnxContext): string {
      const input = l.input!,
        from = net.layers[l.sources[1]]?.output;
      if (!from) return fail('the from layer has no output');
      if (!fits(input, from, l.attrs.scaleWH)) return fail(`input ${input.join('×')} does not fit the from layer ${from.join('×')}`);
      return activation(g.op('Mul', [x, out(l.sources[1])]), 'linear');
    },
  };
}
