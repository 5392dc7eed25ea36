// Residual networks of any depth as cfg text, for the tests and the benchmark of cfg editing at
// scale: a stem conv, then units of [1×1 conv, 3×3 conv, shortcut from=-3]; every 10th unit is
// followed by a [route] to its shortcut by absolute index, and a conv. The same generator, given
// other filters or fewer units, writes the text a correct edit must produce.

export interface GeneratedCfg {
  units: number;
  /** filters of the conv at layer index i (default 16). */
  filters?: (index: number) => number;
  /** Units left out (their three layers are not written; later indices shift). */
  without?: Set<number>;
}

export function generatedCfg({ units, filters = () => 16, without = new Set() }: GeneratedCfg): string {
  const out = ['[net]\nwidth=64\nheight=64\nchannels=3\n'];
  let index = 0;
  const conv = (size: number, original: number) =>
    `[convolutional]\nbatch_normalize=1\nfilters=${filters(original)}\nsize=${size}\nstride=1\npad=1\nactivation=leaky\n`;
  out.push(conv(3, 0));
  index++;
  // layer indices in the full network: stem 0, unit u at 1 + 4u … (route after every 10th unit)
  let original = 1;
  for (let u = 0; u < units; u++) {
    const withRoute = u % 10 === 9;
    if (!without.has(u)) {
      out.push(conv(1, original), conv(3, original + 1), '[shortcut]\nfrom=-3\nactivation=linear\n');
      index += 3;
    }
    original += 3;
    if (withRoute) {
      out.push(`[route]\nlayers=${index - 1}\n`, conv(1, original + 1));
      index += 2;
      original += 2;
    }
  }
  return out.join('\n');
}

/** Layer indices (in the full network) of unit `u`'s conv, conv, shortcut (a unit with u % 10 = 9 is routed to: keep it). */
export function unitLayers(u: number): number[] {
  const first = 1 + 3 * u + 2 * Math.floor(u / 10);
  return [first, first + 1, first + 2];
}
