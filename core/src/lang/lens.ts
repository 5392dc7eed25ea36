// Code lens on [net]: the network's totals.

import type { Network } from '../cfg/network';
import type { Range } from '../cfg/parse';
import { inputText, netSummary } from './describe';

export interface Lens {
  range: Range;
  title: string;
}

export function codeLenses(net: Network): Lens[] {
  const s = net.net.section;
  if (!s) return [];
  return [{ range: s.headerRange, title: `${inputText(net)} · ${netSummary(net)}` }];
}
