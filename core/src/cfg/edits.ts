// Reference-preserving edits. Inserting or deleting a section shifts every absolute index past it
// and every relative index that spans it; these functions compute the text edits that repair or
// rewrite layer references. Also setNetOptions: [net] keys set in place (a training run's cfg copy).

import type { Fix, Layer, LayerRef, Network } from './network';
import { parseCfg } from './parse';

const FINGERPRINTS = new WeakMap<Layer, string>();

/** What a section is, ignoring the reference values themselves (so it still matches after they shift). */
function fingerprint(layer: Layer): string {
  let f = FINGERPRINTS.get(layer);
  if (f === undefined) {
    const refKeys = new Set(layer.refs.map((r) => r.key));
    f = [layer.section.name, ...layer.section.options.filter((o) => !refKeys.has(o.key)).map((o) => `${o.key}=${o.value ?? ''}`)].join(
      '\n',
    );
    FINGERPRINTS.set(layer, f);
  }
  return f;
}

/**
 * Longest common subsequence of two fingerprint lists: old index → new index for matched layers.
 * The common head and tail are matched directly (an edit usually touches a few layers in the
 * middle), so the quadratic table only spans what lies between them.
 */
function matchLayers(before: Layer[], after: Layer[]): Map<number, number> {
  const a = before.map(fingerprint),
    b = after.map(fingerprint);
  const map = new Map<number, number>();
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) {
    map.set(head, head);
    head++;
  }
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const n = a.length - head - tail,
    m = b.length - head - tail;
  const w = m + 1;
  const dp = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i * w + j] = a[head + i] === b[head + j] ? dp[(i + 1) * w + j + 1] + 1 : Math.max(dp[(i + 1) * w + j], dp[i * w + j + 1]);
    }
  }
  let i = 0,
    j = 0;
  while (i < n && j < m) {
    if (a[head + i] === b[head + j]) {
      map.set(head + i, head + j);
      i++;
      j++;
    } else if (dp[(i + 1) * w + j] >= dp[i * w + j + 1]) i++;
    else j++;
  }
  for (let k = 0; k < tail; k++) map.set(a.length - tail + k, b.length - tail + k);
  return map;
}

function refText(ref: { raw: number }, target: number, index: number): string {
  return String(ref.raw < 0 ? target - index : target);
}

export interface ReferenceRepair extends Fix {
  /** One line per changed reference, for messages. */
  changes: { layer: number; key: string; from: string; to: string; ref: LayerRef }[];
  removedTargets: { layer: number; key: string; ref: LayerRef; oldTarget: number }[];
}

/**
 * Given the network before an edit (with references as intended) and after it, the edits that make
 * every reference of a surviving layer point at the same layer as before.
 */
export function repairReferences(before: Network, after: Network): ReferenceRepair | undefined {
  const map = matchLayers(before.layers, after.layers);
  const changes: ReferenceRepair['changes'] = [];
  const removedTargets: ReferenceRepair['removedTargets'] = [];
  for (const [oldIdx, newIdx] of map) {
    const oldL = before.layers[oldIdx],
      newL = after.layers[newIdx];
    for (const key of new Set(newL.refs.map((r) => r.key))) {
      const oldRefs = oldL.refs.filter((r) => r.key === key),
        newRefs = newL.refs.filter((r) => r.key === key);
      if (oldRefs.length !== newRefs.length) continue;
      newRefs.forEach((ref, k) => {
        const old = oldRefs[k];
        if (old.raw !== ref.raw) return; // the user already changed this one
        const target = map.get(old.target);
        if (target === undefined) {
          if (old.valid) removedTargets.push({ layer: newIdx, key, ref, oldTarget: old.target });
          return;
        }
        const text = refText(ref, target, newIdx);
        if (text !== String(ref.raw)) changes.push({ layer: newIdx, key, from: String(ref.raw), to: text, ref });
      });
    }
  }
  if (changes.length === 0) return undefined;
  return {
    title: `Fix layer references (${changes.length} shifted)`,
    edits: changes.map((c) => ({ range: c.ref.range, newText: c.to })),
    changes,
    removedTargets,
  };
}

/** Rewrite references to absolute or relative form, for the given layers (all when omitted). */
export function convertReferences(net: Network, mode: 'absolute' | 'relative', layers?: number[]): Fix | undefined {
  const edits: Fix['edits'] = [];
  for (const l of net.layers) {
    if (layers && !layers.includes(l.index)) continue;
    for (const r of l.refs) {
      if (!r.valid || r.key === 'share_index') continue;
      const text = mode === 'absolute' ? String(r.target) : String(r.target - l.index);
      if (text !== String(r.raw)) edits.push({ range: r.range, newText: text });
    }
  }
  if (edits.length === 0) return undefined;
  return { title: `Convert references to ${mode}`, edits };
}

export interface OffsetEdit {
  start: number;
  end: number;
  text: string;
}

/**
 * Apply non-overlapping edits given as offsets, in one pass (linear in the text and the edits).
 * Edits starting at the same offset land in reverse order of the array, as if applied one by one
 * from the last position to the first. Throws `overlap(a, b)`'s error when two edits overlap.
 */
export function spliceText(text: string, edits: readonly OffsetEdit[], overlap: (a: OffsetEdit, b: OffsetEdit) => Error): string {
  const order = edits.map((_, k) => k).sort((a, b) => edits[a].start - edits[b].start || b - a);
  const pieces: string[] = [];
  let pos = 0;
  let prev: OffsetEdit | undefined;
  for (const k of order) {
    const e = edits[k];
    if (prev && prev.end > e.start) throw overlap(prev, e);
    pieces.push(text.slice(pos, e.start), e.text);
    pos = Math.max(e.start, e.end);
    prev = e;
  }
  pieces.push(text.slice(pos));
  return pieces.join('');
}

/** Apply range edits (a Fix's, or an LSP WorkspaceEdit's for one document) to text. Edits must not overlap. */
export function applyFix(text: string, edits: Fix['edits']): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: { line: number; character: number }) => {
    if (p.line < 0 || p.line >= starts.length) throw new Error(`edit at line ${p.line + 1}: the text has ${starts.length} lines`);
    const lineEnd = p.line + 1 < starts.length ? starts[p.line + 1] - 1 : text.length;
    return Math.min(starts[p.line] + p.character, lineEnd);
  };
  return spliceText(
    text,
    edits.map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), text: e.newText })),
    () => new Error('overlapping edits'),
  );
}

/** The cfg's text with these [net] keys set (the first occurrence replaced, else added after the header). */
export function setNetOptions(text: string, values: Record<string, string | number>): string {
  const doc = parseCfg(text);
  const net = doc.sections[0];
  if (!net) throw new Error('the cfg has no [net] section');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const edits: OffsetEdit[] = [];
  const added: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const o = net.options.find((x) => x.key === key);
    if (!o) {
      added.push(`${key}=${value}${eol}`);
      continue;
    }
    const start = doc.lineOffsets[o.line];
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
    edits.push({ start, end, text: `${key}=${value}` });
  }
  if (added.length) {
    const after = doc.lineOffsets[net.line + 1] ?? text.length;
    const prefix = after === text.length && !text.endsWith('\n') ? eol : '';
    edits.push({ start: after, end: after, text: prefix + added.join('') });
  }
  return spliceText(text, edits, () => new Error('overlapping [net] edits'));
}
