// Diagnostics over an analysed network. Every diagnostic has a range and a stable code
// (listed in DIAGNOSTIC_CODES); fixes are attached where they are fully determined.

import { isExcluded } from '../layers/spec';
import { atoi, isCleanFloat, isCleanInt, listUntilHash } from './cvalues';
import { findOption, range as mkRange, type CfgOption, type CfgSection, type SyntaxProblemKind } from './parse';
import { allSectionNames, closest, keySpec, keysOf, layerSpec, type KeySpec, type SectionSpec } from './schema';
import type { Diagnostic, Layer, Network, Severity } from './network';

export const DIAGNOSTIC_CODES = {
  'utf8-bom': 'The file starts with a UTF-8 BOM, which darknet reads as part of the first line.',
  syntax: 'Line darknet cannot read as intended (option before the first section, `key=` with no value, no `=`, bad header).',
  'no-sections': 'The file has no sections.',
  'missing-net': 'The first section is not [net] / [network].',
  'misplaced-net': '[net] appears after the first section.',
  'unknown-section': 'Section type darknet does not know.',
  'unsupported-layer': 'Layer type Darknet Pruner does not analyse (shape unknown).',
  'unknown-key': 'Key the layer never reads (darknet prints "Unused field").',
  'duplicate-key': 'Key repeated in a section: darknet uses the first occurrence.',
  'bad-value': 'Value of the wrong type, out of range or not one of the allowed values.',
  'missing-key': 'A required key is missing.',
  'inline-comment': 'A `#` after a value: darknet keeps it as part of the value.',
  'ref-out-of-range': 'Reference to a layer that does not exist.',
  'ref-forward': 'Reference to this layer or a later one.',
  'shortcut-shape': 'Shortcut inputs with different W×H (fatal) or channels (only the overlap is added).',
  'route-size-mismatch': 'Route inputs with different W×H.',
  'route-groups': "Route `groups` does not divide an input's channels, or group_id ≥ groups.",
  'yolo-filters': 'The conv before a detection head has the wrong number of filters.',
  'mask-range': 'A mask index is not below num.',
  'anchors-count': 'anchors does not hold 2·num values.',
  'stride-multiple': "width/height is not a multiple of the network's total stride.",
  'bad-shape': "A layer's output would be empty or cannot be computed.",
  'shape-mismatch': "A layer's input does not fit what the layer requires.",
  'too-large':
    'Weights or activations over the size bound (DARKNET_MAX_BYTES, default 4 GiB): every command refuses the cfg before allocating.',
  'refs-shifted': 'Language server: inserting or deleting sections moved what references point at (fix: "Fix layer references").',
} as const;
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

const SYNTAX_SEVERITY: Record<SyntaxProblemKind, Severity> = {
  'option-before-section': 'error',
  'bad-header': 'error',
  'empty-value': 'warning',
  'missing-equals': 'warning',
};

/** Enums darknet rejects fatally (others fall back to a default silently). */
const FATAL_ENUMS = new Set(['weights_type', 'weights_normalization']);

export function validate(net: Network): void {
  const d = net.diagnostics;
  const push = (x: Diagnostic) => d.push(x);
  const { doc } = net;

  for (const p of doc.problems) push({ range: p.range, severity: SYNTAX_SEVERITY[p.kind], code: 'syntax', message: p.message });
  if (doc.sections.length === 0) {
    push({
      range: mkRange(0, 0, 0),
      severity: 'error',
      code: 'no-sections',
      message: 'No sections: a Darknet cfg starts with [net] followed by one section per layer',
    });
    return;
  }
  const first = doc.sections[0];
  if (!net.net.section) {
    push({
      range: first.headerRange,
      severity: 'error',
      code: 'missing-net',
      message: `The first section must be [net] or [network], not ${first.header}`,
    });
  } else {
    checkKeys(net.net.section, 'net', push);
    const o = net.net.section;
    for (const key of ['width', 'height', 'channels'] as const) {
      if (!findOption(o, key) && !findOption(o, 'inputs')) {
        push({
          range: o.headerRange,
          severity: 'error',
          code: 'missing-key',
          message: `[net] needs ${key}= (darknet stops with "No input parameters supplied")`,
        });
      }
    }
  }

  for (const layer of net.layers) {
    const s = layer.section;
    if (s.header !== `[${s.name}]`) continue; // already reported as a syntax problem
    if (s.name === 'net' || s.name === 'network') {
      push({
        range: s.headerRange,
        severity: 'error',
        code: 'misplaced-net',
        message: `[${s.name}] must be the first section; here darknet treats it as an unknown layer ${layer.index}`,
        layer: layer.index,
      });
      continue;
    }
    if (!layer.spec) {
      const guess = closest(
        s.name,
        allSectionNames().filter((n) => n !== 'net' && n !== 'network'),
      );
      push({
        range: s.headerRange,
        severity: 'error',
        code: 'unknown-section',
        layer: layer.index,
        message: `Unknown section [${s.name}]${guess ? ` — did you mean [${guess}]?` : ''}; layer ${layer.index} gets shape unknown`,
        fix: guess ? { title: `Change to [${guess}]`, edits: [{ range: s.headerRange, newText: `[${guess}]` }] } : undefined,
      });
      continue;
    }
    if (layer.spec.unsupported) {
      push({
        range: s.headerRange,
        severity: 'warning',
        code: 'unsupported-layer',
        layer: layer.index,
        message: `[${s.name}] (recurrent) is not analysed: layer ${layer.index} and what follows get shape unknown`,
      });
      continue;
    }
    checkKeys(s, layer.type, push, layer.index);
    checkRefs(net, layer, push);
    checkShapes(net, layer, push);
  }

  if (net.detectorStride && net.net.section) {
    const st = net.detectorStride;
    for (const key of ['width', 'height'] as const) {
      const v = net.net[key];
      const opt = findOption(net.net.section, key);
      if (v > 0 && v % st !== 0) {
        const fixed = Math.max(st, Math.round(v / st) * st);
        push({
          range: opt?.valueRange ?? net.net.section.headerRange,
          severity: 'warning',
          code: 'stride-multiple',
          message: `${key}=${v} is not a multiple of the network's total stride ${st}; use e.g. ${fixed}`,
          fix: opt ? { title: `Set ${key}=${fixed}`, edits: [{ range: opt.valueRange, newText: String(fixed) }] } : undefined,
        });
      }
    }
  }
}

function checkKeys(section: CfgSection, type: string, push: (d: Diagnostic) => void, layer?: number) {
  const spec = layerSpec(type)!;
  const seen = new Map<string, CfgOption>();
  for (const opt of section.options) {
    if (opt.value === undefined || opt.value === '') continue;
    const ks = keySpec(spec, opt.key);
    if (!ks) {
      const guess = closest(opt.key, Object.keys(keysOf(spec)));
      push({
        range: opt.keyRange,
        severity: type === 'net' ? 'information' : 'warning',
        code: 'unknown-key',
        layer,
        message: `Unknown key "${opt.key}" in [${section.name}]${guess ? ` — did you mean "${guess}"?` : ''}${type === 'net' ? '' : ' (darknet ignores it: "Unused field")'}`,
        fix: guess ? { title: `Change to "${guess}"`, edits: [{ range: opt.keyRange, newText: guess }] } : undefined,
      });
      continue;
    }
    const earlier = seen.get(opt.key);
    if (earlier) {
      push({
        range: opt.lineRange,
        severity: 'warning',
        code: 'duplicate-key',
        layer,
        message: `"${opt.key}" is already set on line ${earlier.line + 1} (${earlier.value}); darknet uses the first value and ignores this one`,
      });
      continue;
    }
    seen.set(opt.key, opt);
    if (opt.value.includes('#')) {
      push({
        range: opt.valueRange,
        severity: 'warning',
        code: 'inline-comment',
        layer,
        message: `Darknet has no inline comments: "#" is kept in the value "${opt.value}"`,
      });
    }
    checkValue(opt, ks, type, push, layer);
  }
  for (const key of requiredKeys(spec)) {
    if (!findOption(section, key)) {
      push({ range: section.headerRange, severity: 'error', code: 'missing-key', layer, message: `[${section.name}] needs ${key}=` });
    }
  }
}

const REQUIRED = new Map<SectionSpec, string[]>();
/** Required keys of a spec, computed once (this runs for every section on every keystroke). */
function requiredKeys(spec: SectionSpec): string[] {
  let keys = REQUIRED.get(spec);
  if (!keys) {
    keys = Object.entries(spec.keys)
      .filter(([, ks]) => ks.required)
      .map(([k]) => k);
    REQUIRED.set(spec, keys);
  }
  return keys;
}

function checkValue(opt: CfgOption, ks: KeySpec, type: string, push: (d: Diagnostic) => void, layer?: number) {
  const hash = opt.value!.indexOf('#');
  const v = hash < 0 ? opt.value! : opt.value!.slice(0, hash);
  const bad = (message: string, severity: Severity = 'error') =>
    push({ range: opt.valueRange, severity, code: 'bad-value', layer, message });
  const inRange = (n: number) => {
    if (ks.min !== undefined && n < ks.min) bad(`${opt.key}=${n} must be ≥ ${ks.min}`);
    else if (ks.max !== undefined && n > ks.max) bad(`${opt.key}=${n} must be ≤ ${ks.max}`);
  };
  switch (ks.type) {
    case 'int':
      if (!isCleanInt(v)) bad(`${opt.key} expects an integer; darknet reads "${opt.value}" as ${atoi(opt.value!)}`);
      else inRange(atoi(v));
      break;
    case 'float':
      if (!isCleanFloat(v)) bad(`${opt.key} expects a number, got "${opt.value}"`);
      else inRange(Number(v));
      break;
    case 'enum':
      if (!ks.values!.includes(opt.value!)) {
        const guess = closest(opt.value!, ks.values!);
        const consequence =
          opt.key === 'activation'
            ? ' (darknet falls back to relu)'
            : FATAL_ENUMS.has(opt.key)
              ? ' (darknet stops)'
              : ` (darknet uses ${ks.default})`;
        push({
          range: opt.valueRange,
          severity: 'error',
          code: 'bad-value',
          layer,
          message: `"${opt.value}" is not a valid ${opt.key}${guess ? ` — did you mean "${guess}"?` : ''}${consequence}. Allowed: ${ks.values!.join(', ')}`,
          fix: guess ? { title: `Change to ${guess}`, edits: [{ range: opt.valueRange, newText: guess }] } : undefined,
        });
      }
      break;
    case 'intList':
    case 'refs':
    case 'ref':
      for (const item of ks.type === 'intList' ? listUntilHash(v) : v.split(',')) {
        if (item === '')
          bad(
            ks.type === 'intList' ? `Empty item in ${opt.key}` : `Empty item in ${opt.key}: darknet reads it as 0 (absolute layer 0)`,
            'warning',
          );
        else if (!isCleanInt(item)) {
          bad(`${opt.key}: "${item}" is not an integer`);
          break;
        }
      }
      break;
    case 'floatList':
      for (const item of listUntilHash(v)) {
        if (item !== '' && !isCleanFloat(item)) {
          bad(`${opt.key}: "${item}" is not a number`);
          break;
        }
      }
      break;
    default:
      break;
  }
  void type;
}

function checkRefs(net: Network, layer: Layer, push: (d: Diagnostic) => void) {
  for (const r of layer.refs) {
    if (r.valid) continue;
    const written = r.raw < 0 ? `${r.raw} (layer ${r.target})` : `${r.raw}`;
    if (r.target < 0) {
      push({
        range: r.range,
        severity: 'error',
        code: 'ref-out-of-range',
        layer: layer.index,
        message: `${r.key}=${written}: there is no layer ${r.target} (layer ${layer.index} can reference layers 0…${layer.index - 1})`,
      });
    } else if (r.target >= net.layers.length) {
      push({
        range: r.range,
        severity: 'error',
        code: 'ref-out-of-range',
        layer: layer.index,
        message: `${r.key}=${written}: the network has only ${net.layers.length} layers (0…${net.layers.length - 1})`,
      });
    } else {
      push({
        range: r.range,
        severity: 'error',
        code: 'ref-forward',
        layer: layer.index,
        message: `${r.key}=${written} ${r.target === layer.index ? 'is this layer itself' : 'lies ahead of this layer'}: layer ${layer.index} can only reference layers 0…${layer.index - 1}`,
      });
    }
  }
}

/** The type's own shape checks (core/src/layers/<type>.ts). */
function checkShapes(net: Network, layer: Layer, push: (d: Diagnostic) => void) {
  const analysis = layer.spec?.analysis;
  if (analysis && !isExcluded(analysis)) analysis.check?.({ net, layer, push });
}
