import { analyseText } from '../../core/src/cfg/analyse';
import { formatBflops, shapeText, type Layer, type Network } from '../../core/src/cfg/network';
import { escapeControls, jsonForTerminal } from '../../core/src/text/escape';
import { defineCommand, parseArgs } from '../args';
import { readCfgFile } from '../cfg-input';
import type { CommandContext } from '../main';
import { diagnosticLine } from './check';

export const SPEC = defineCommand({
  command: 'info',
  summary: 'Layer table and totals (shapes, params, BFLOPs, receptive field) of a cfg; exit 1 when the cfg has errors.',
  positionals: [{ name: '<cfg>', description: 'the darknet .cfg' }],
  flags: {
    width: { type: 'int', min: 1, placeholder: 'W', description: "network input width instead of the cfg's" },
    height: { type: 'int', min: 1, placeholder: 'H', description: "network input height instead of the cfg's" },
  },
});
export const SPECS = [SPEC];

export function layerJson(l: Layer) {
  return {
    index: l.index,
    type: l.type,
    filters: l.attrs.filters ?? null,
    size: l.attrs.size ?? null,
    stride: l.attrs.strideX ?? l.attrs.stride ?? null,
    input: l.input ?? null,
    output: l.output ?? null,
    params: l.params,
    weightFloats: l.weightFloats,
    bflops: l.bflops,
    receptiveField: l.rf?.size ?? null,
  };
}

export function networkJson(net: Network) {
  return { layers: net.layers.map(layerJson), totals: { ...net.totals, weightsBytes: 20 + 4 * net.totals.weightFloats } };
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
const dims = (s: [number, number, number] | undefined) => (s ? `${pad(s[0], 4)} x${pad(s[1], 4)} x${pad(s[2], 5)}` : pad('?', 18));

export function layerTable(net: Network): string {
  const rows = ['   layer   filters  size/strd(dil)      input                output          params     BFLOPs   RF'];
  for (const l of net.layers) {
    const a = l.attrs;
    const short =
      { convolutional: 'conv', maxpool: 'max', local_avgpool: 'avg', avgpool: 'avg', Gaussian_yolo: 'Gyolo', scale_channels: 'scale' }[
        l.type
      ] ?? l.type;
    let geom = '';
    if (a.size !== undefined && a.strideX !== undefined)
      geom = `${pad(a.size, 3)} x${pad(a.size, 2)}/${pad(a.strideX, 2)}${a.dilation && a.dilation > 1 ? `(${a.dilation})` : ''}`;
    else if (l.refs.length) geom = l.refs.map((r) => r.target).join(',');
    else if (a.stride !== undefined) geom = `${a.stride}x`;
    const filters = a.filters !== undefined ? (a.groups && a.groups > 1 ? `${a.filters}/${a.groups}` : String(a.filters)) : '';
    rows.push(
      `${pad(l.index, 4)} ${short.padEnd(9)}${pad(filters, 6)}  ${geom.padEnd(16)} ${dims(l.input)} -> ${dims(l.output)} ${pad(l.params.toLocaleString('en-US'), 11)} ${pad(l.bflops > 0 ? formatBflops(l.bflops) : '', 8)} ${pad(l.rf?.size ?? '', 5)}`,
    );
  }
  const t = net.totals;
  rows.push(`Total BFLOPS ${formatBflops(t.bflops)}`);
  rows.push(
    `Layers ${t.layers}, parameters ${t.params.toLocaleString('en-US')}, .weights floats ${t.weightFloats.toLocaleString('en-US')} (${(20 + 4 * t.weightFloats).toLocaleString('en-US')} bytes)`,
  );
  const unknown = net.layers.filter((l) => !l.output);
  if (unknown.length)
    rows.push(`Shape unknown from layer ${unknown[0].index} (${unknown[0].type}) on: ${unknown.length} layer(s) not counted`);
  return rows.join('\n');
}

export function run(argv: string[], ctx: CommandContext): number {
  const args = parseArgs(argv, SPEC);
  const [cfg] = args.positionals;
  const net = analyseText(readCfgFile(cfg), { width: args.values.width, height: args.values.height });
  if (args.values.json) ctx.out(jsonForTerminal(networkJson(net), 1));
  else ctx.out(escapeControls(`${cfg}: ${shapeText(net.layers[0]?.input)} input\n${layerTable(net)}`));
  // The table of a cfg darknet refuses is no answer: its errors, as check reports them, and exit 1.
  const errors = net.diagnostics
    .filter((d) => d.severity === 'error')
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  for (const d of errors) ctx.err(`darknet-pruner: ${diagnosticLine(cfg, d)}`);
  return errors.length ? 1 : 0;
}
