// Completion: section names after `[` (or on an empty line), keys of the current section with their
// defaults, and the allowed values of enum keys (activation=, policy=, …).

import type { Network } from '../cfg/network';
import { range, type Position, type Range } from '../cfg/parse';
import { allLayerSpecs, keysOf, layerSpec, type KeySpec, type SectionSpec } from '../cfg/schema';
import { keyMarkdown } from './hover';
import { layerBrief } from './describe';
import { lineText, sectionAt } from './locate';

export interface Completion {
  label: string;
  kind: 'section' | 'key' | 'value';
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Text replacing `range`; a snippet when `snippet` is set. */
  insertText: string;
  snippet: boolean;
  range: Range;
  sortText?: string;
}

const snippetEscape = (s: string) => s.replace(/[$}\\]/g, '\\$&');

function sectionItems(replace: Range): Completion[] {
  return allLayerSpecs().flatMap((spec) =>
    [spec.name, ...spec.aliases].map((name): Completion => ({
      label: `[${name}]`,
      kind: 'section',
      detail: name === spec.name ? 'section' : `alias of [${spec.name}]`,
      documentation: spec.doc,
      insertText: `[${name}]`,
      snippet: false,
      range: replace,
      sortText: `${name === spec.name ? '1' : '2'}${name}`,
    })),
  );
}

function keyDetail(ks: KeySpec): string {
  return ks.required ? `${ks.type}, required` : ks.default !== undefined ? `${ks.type} = ${ks.default}` : ks.type;
}

function keyItems(spec: SectionSpec, sectionName: string, present: Set<string>, replace: Range, lineHasEquals: boolean): Completion[] {
  return Object.entries(keysOf(spec))
    .filter(([k]) => !present.has(k))
    .map(([key, ks]): Completion => {
      const value = ks.default ?? (ks.type === 'enum' ? ks.values![0] : '');
      const insertText = lineHasEquals
        ? key
        : ks.type === 'enum'
          ? `${key}=\${1|${ks.values!.map(snippetEscape).join(',').replace(/\|/g, '\\|')}|}`
          : `${key}=\${1:${snippetEscape(value)}}`;
      return {
        label: key,
        kind: 'key',
        detail: keyDetail(ks),
        documentation: keyMarkdown(key, ks, sectionName),
        insertText,
        snippet: !lineHasEquals,
        range: replace,
        // Keys the layer itself defines before the generic training keys.
        sortText: `${spec.keys[key] ? '1' : '2'}${ks.required ? '0' : '1'}${key}`,
      };
    });
}

/** For layers=/from=: the earlier layers, nearest first, as relative references (the item under the cursor is replaced). */
function referenceItems(net: Network, index: number, text: string, eq: number, pos: Position): Completion[] {
  const start = Math.max(eq, text.lastIndexOf(',', pos.character - 1)) + 1;
  const nextComma = text.indexOf(',', pos.character);
  const end = nextComma >= 0 ? nextComma : text.trimEnd().length;
  const lead = text.slice(start, end).length - text.slice(start, end).trimStart().length;
  const replace = range(pos.line, start + lead, Math.max(end, pos.character, start + lead));
  const items: Completion[] = [];
  for (let j = index - 1; j >= 0 && j >= index - 50; j--) {
    const l = net.layers[j];
    items.push({
      label: String(j - index),
      kind: 'value',
      detail: `layer ${j}: ${layerBrief(l)}`,
      insertText: String(j - index),
      snippet: false,
      range: replace,
      sortText: String(index - j).padStart(4, '0'),
    });
  }
  return items;
}

export function completionsAt(net: Network, pos: Position): Completion[] {
  const text = lineText(net, pos.line);
  const before = text.slice(0, pos.character);
  const lead = before.length - before.trimStart().length;
  const trimmed = before.trimStart();
  if (trimmed.startsWith('#') || trimmed.startsWith(';')) return [];

  if (trimmed.startsWith('[')) {
    const close = text.indexOf(']', lead);
    return sectionItems(range(pos.line, lead, close >= 0 ? close + 1 : text.length));
  }

  const at = sectionAt(net, pos);
  const typeName = at ? (at.isNet ? 'net' : at.layer?.spec?.name) : undefined;
  const spec = typeName ? layerSpec(typeName) : undefined;
  const eq = before.indexOf('=');

  if (eq >= 0) {
    if (!spec) return [];
    const key = before.slice(0, eq).replace(/\s/g, '');
    const ks = keysOf(spec)[key];
    if ((ks?.type === 'refs' || ks?.type === 'ref') && at?.layer) return referenceItems(net, at.layer.index, text, eq, pos);
    if (!ks?.values) return [];
    const afterEq = text.slice(eq + 1);
    const vs = eq + 1 + (afterEq.length - afterEq.trimStart().length);
    const ve = Math.max(vs, text.trimEnd().length);
    const replace = range(pos.line, Math.min(vs, pos.character), Math.max(ve, pos.character));
    return ks.values.map((v, i): Completion => ({
      label: v,
      kind: 'value',
      detail: v === ks.default ? `${key} (default)` : key,
      insertText: v,
      snippet: false,
      range: replace,
      sortText: String(i).padStart(3, '0'),
    }));
  }

  // Key position: replace the word typed so far (and the rest of the key up to `=` if any).
  const lineHasEquals = text.includes('=');
  const keyEnd = lineHasEquals ? text.slice(0, text.indexOf('=')).trimEnd().length : text.trimEnd().length;
  const replace = range(pos.line, lead, Math.max(keyEnd, pos.character));
  const items: Completion[] = [];
  if (spec && at) {
    const present = new Set(at.section.options.filter((o) => o.line !== pos.line).map((o) => o.key));
    for (const item of keyItems(spec, at.section.name, present, replace, lineHasEquals)) items.push(item);
  }
  if (trimmed === '' && !lineHasEquals) {
    for (const c of sectionItems(range(pos.line, lead, pos.character))) items.push({ ...c, sortText: `9${c.sortText}` });
  }
  return items;
}
