// Short texts about layers and networks, shared by hover, symbols, inlay hints and code lens.

import { formatBflops, shapeText, type Layer, type Network } from '../cfg/network';

export const formatInt = (n: number): string => n.toLocaleString('en-US');

/** `12 convolutional 208×208×64` (the shape is left out when unknown). */
export function layerLabel(layer: Layer): string {
  return `${layer.index} ${layer.type}${layer.output ? ` ${shapeText(layer.output)}` : ''}`;
}

/** `convolutional 208×208×64` for naming a referenced layer. */
export function layerBrief(layer: Layer): string {
  return `${layer.type}${layer.output ? ` ${shapeText(layer.output)}` : ''}`;
}

export function netSummary(net: Network): string {
  const t = net.totals;
  return `${formatInt(t.layers)} layers · ${formatInt(t.params)} params · ${formatBflops(t.bflops)} BFLOPs`;
}

export function inputText(net: Network): string {
  const n = net.net;
  return n.width > 0 && n.height > 0 && n.channels > 0 ? `${n.width}×${n.height}×${n.channels}` : 'input size unknown';
}
