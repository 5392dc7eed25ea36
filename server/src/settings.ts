// darknet.* settings, read through workspace/configuration; defaults apply until (and unless) the
// client answers.

import type { InlayOptions } from '../../core/src/lang/inlay';

export interface Settings {
  diagnostics: { debounceMs: number };
  inlayHints: InlayOptions;
  codeLens: { enable: boolean };
}

export const DEFAULT_SETTINGS: Settings = {
  diagnostics: { debounceMs: 50 },
  inlayHints: { layerIndex: true, outputShape: true, references: true },
  codeLens: { enable: true },
};

const bool = (v: unknown, def: boolean) => (typeof v === 'boolean' ? v : def);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** Accepts the `darknet` section as VS Code sends it (nested objects); anything malformed falls back to the default. */
export function readSettings(raw: unknown): Settings {
  const r = obj(raw);
  const d = obj(r.diagnostics),
    h = obj(r.inlayHints),
    c = obj(r.codeLens);
  const ms = d.debounceMs;
  return {
    diagnostics: {
      debounceMs: typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 10_000) : DEFAULT_SETTINGS.diagnostics.debounceMs,
    },
    inlayHints: {
      layerIndex: bool(h.layerIndex, true),
      outputShape: bool(h.outputShape, true),
      references: bool(h.references, true),
    },
    codeLens: { enable: bool(c.enable, true) },
  };
}
