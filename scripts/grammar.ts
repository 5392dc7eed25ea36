// Builds the Darknet cfg TextMate grammar from the layer schema (core/src/cfg/schema.ts), so the
// highlighting never drifts from what the parser and validator consider known. Written to
// syntaxes/darknet-cfg.tmLanguage.json by scripts/gen-grammar.ts; test/grammar checks both stay equal.
//
// Darknet strips every whitespace character from a line before reading it; a line whose first
// character is then `#` or `;` is a comment, `[` starts a section, anything else is `key=value`.
// There are no inline comments: a `#` after a value stays part of the value.

import { ACTIVATIONS, COMMON_KEYS, allLayerSpecs, keysOf, type KeySpec, type SectionSpec } from '../core/src/cfg/schema';

export const SCOPE_NAME = 'source.darknet-cfg';
export const GRAMMAR_PATH = 'syntaxes/darknet-cfg.tmLanguage.json';

/** Every scope the grammar assigns, by role (the grammar tests assert these). */
export const SCOPES = {
  commentHash: 'comment.line.number-sign.darknet-cfg',
  commentSemicolon: 'comment.line.semicolon.darknet-cfg',
  commentPunctuation: 'punctuation.definition.comment.darknet-cfg',
  header: 'meta.section.header.darknet-cfg',
  bracketOpen: 'punctuation.definition.section.begin.darknet-cfg',
  bracketClose: 'punctuation.definition.section.end.darknet-cfg',
  netSection: 'keyword.other.section.net.darknet-cfg',
  layerSection: 'entity.name.type.section.darknet-cfg',
  unknownSection: 'invalid.illegal.section.unknown.darknet-cfg',
  headerTrailing: 'invalid.illegal.trailing-characters.darknet-cfg',
  option: 'meta.option.darknet-cfg',
  knownKey: 'support.type.property-name.darknet-cfg',
  unknownKey: 'variable.other.key.darknet-cfg',
  assignment: 'keyword.operator.assignment.darknet-cfg',
  integer: 'constant.numeric.integer.darknet-cfg',
  float: 'constant.numeric.float.darknet-cfg',
  comma: 'punctuation.separator.list.comma.darknet-cfg',
  activation: 'constant.language.activation.darknet-cfg',
  enumValue: 'constant.language.enum.darknet-cfg',
  string: 'string.unquoted.darknet-cfg',
  path: 'string.unquoted.path.darknet-cfg',
  inlineComment: 'invalid.deprecated.inline-comment.darknet-cfg',
  missingEquals: 'invalid.deprecated.missing-equals.darknet-cfg',
  optionBeforeSection: 'invalid.illegal.option-before-section.darknet-cfg',
} as const;

type Captures = Record<string, { name?: string; patterns?: Rule[] }>;
interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: Rule[];
  include?: string;
}
export interface Grammar {
  $schema: string;
  name: string;
  scopeName: string;
  comment: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Longest first, so that an alternation never stops at a prefix of a longer name. */
const alternation = (words: Iterable<string>): string =>
  [...new Set(words)]
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .map(esc)
    .join('|');

/** A value item starts after `=`, `,` or whitespace… */
const ITEM_START = '(?<![^\\s,=])';
/** …and ends before `,`, a `#` or the end of the line (whitespace allowed, darknet strips it). */
const ITEM_END = '(?=\\s*(?:,|#|$))';
const FLOAT = '[+-]?(?:\\d+\\.\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?\\d+[eE][+-]?\\d+';
const INT = '[+-]?\\d+';
/** The first character of an option line (after indentation): not a header, comment or `=`. */
const KEY_START = '[^\\s=\\[#;]';
const SECTION_END = '(?=^\\s*\\[)';

const inc = (name: string): Rule => ({ include: `#${name}` });

function headerRule(names: readonly string[], scope: string): Pick<Rule, 'begin' | 'beginCaptures'> {
  return {
    begin: `^\\s*(\\[)\\s*(${alternation(names)})\\s*(\\])\\s*$`,
    beginCaptures: {
      0: { name: SCOPES.header },
      1: { name: SCOPES.bracketOpen },
      2: { name: scope },
      3: { name: SCOPES.bracketClose },
    },
  };
}

function optionRule(keysRegex: string, keyScope: string, values: string[]): Rule {
  return {
    name: SCOPES.option,
    begin: `^\\s*(${keysRegex})\\s*(=)`,
    beginCaptures: { 1: { name: keyScope }, 2: { name: SCOPES.assignment } },
    end: '$',
    patterns: [inc('inline-comment'), ...values.map(inc)],
  };
}

const isActivation = (k: KeySpec): boolean => k.type === 'enum' && k.values === ACTIVATIONS;

/** Value rules for enums other than activations, shared by identical value sets. */
class EnumValues {
  readonly rules = new Map<string, { name: string; rule: Rule }>();
  ref(values: readonly string[]): string {
    const id = [...values].sort().join(',');
    let entry = this.rules.get(id);
    if (!entry) {
      const name = `value-enum-${this.rules.size + 1}`;
      entry = { name, rule: { name: SCOPES.enumValue, match: `${ITEM_START}(?:${alternation(values)})${ITEM_END}` } };
      this.rules.set(id, entry);
    }
    return entry.name;
  }
}

function sectionRule(layer: SectionSpec, enums: EnumValues): Rule {
  const keys = keysOf(layer);
  const generic: string[] = [];
  const paths: string[] = [];
  const activations: string[] = [];
  const enumRules: Rule[] = [];
  for (const [key, spec] of Object.entries(keys).sort(([a], [b]) => a.localeCompare(b))) {
    if (isActivation(spec)) activations.push(key);
    else if (spec.type === 'enum' && spec.values) {
      enumRules.push(optionRule(esc(key), SCOPES.knownKey, [enums.ref(spec.values), 'value-generic']));
    } else if (spec.type === 'path') paths.push(key);
    else generic.push(key);
  }
  const options: Rule[] = [...enumRules];
  if (activations.length) options.push(optionRule(alternation(activations), SCOPES.knownKey, ['value-activation', 'value-generic']));
  if (paths.length) options.push(optionRule(alternation(paths), SCOPES.knownKey, ['value-path']));
  if (generic.length) options.push(optionRule(alternation(generic), SCOPES.knownKey, ['value-generic']));
  return {
    name: `meta.section.${layer.name.toLowerCase()}.darknet-cfg`,
    ...headerRule([layer.name, ...layer.aliases], layer.name === 'net' ? SCOPES.netSection : SCOPES.layerSection),
    end: SECTION_END,
    patterns: [inc('comment'), ...options, inc('option-unknown'), inc('missing-equals')],
  };
}

const sectionId = (layer: SectionSpec): string => `section-${layer.name.toLowerCase()}`;

export function buildGrammar(): Grammar {
  const layers = allLayerSpecs();
  const enums = new EnumValues();
  const sections: Record<string, Rule> = {};
  for (const layer of layers) sections[sectionId(layer)] = sectionRule(layer, enums);

  const repository: Record<string, Rule> = {
    comment: {
      patterns: [
        { name: SCOPES.commentHash, match: '^\\s*(#).*$', captures: { 1: { name: SCOPES.commentPunctuation } } },
        { name: SCOPES.commentSemicolon, match: '^\\s*(;).*$', captures: { 1: { name: SCOPES.commentPunctuation } } },
      ],
    },
    ...sections,
    'section-unknown': {
      name: 'meta.section.unknown.darknet-cfg',
      begin: '^\\s*(\\[)([^\\]]*)(?:(\\])\\s*(.*?))?\\s*$',
      beginCaptures: {
        0: { name: SCOPES.header },
        1: { name: SCOPES.bracketOpen },
        2: { name: SCOPES.unknownSection },
        3: { name: SCOPES.bracketClose },
        4: { name: SCOPES.headerTrailing },
      },
      end: SECTION_END,
      patterns: [inc('comment'), inc('option-unknown'), inc('missing-equals')],
    },
    'option-unknown': optionRule(`${KEY_START}[^=]*?`, SCOPES.unknownKey, ['value-generic']),
    'missing-equals': { match: `^\\s*(${KEY_START}[^=]*?)\\s*$`, captures: { 1: { name: SCOPES.missingEquals } } },
    'option-before-section': { match: `^\\s*(${KEY_START}.*?)\\s*$`, captures: { 1: { name: SCOPES.optionBeforeSection } } },
    'inline-comment': { name: SCOPES.inlineComment, match: '#.*$' },
    'value-activation': { name: SCOPES.activation, match: `${ITEM_START}(?:${alternation(ACTIVATIONS)})${ITEM_END}` },
    ...Object.fromEntries([...enums.rules.values()].map((e) => [e.name, e.rule])),
    'value-path': { name: SCOPES.path, match: '\\S[^#]*?(?=\\s*(?:#|$))' },
    'value-generic': {
      patterns: [
        { name: SCOPES.float, match: `${ITEM_START}(?:${FLOAT})${ITEM_END}` },
        { name: SCOPES.integer, match: `${ITEM_START}${INT}${ITEM_END}` },
        { name: SCOPES.comma, match: ',' },
        { name: SCOPES.string, match: '[^\\s,#]+' },
      ],
    },
  };

  return {
    $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
    name: 'Darknet cfg',
    scopeName: SCOPE_NAME,
    comment: `Generated by scripts/gen-grammar.ts from core/src/cfg/schema.ts (${layers.length} layer types, ${Object.keys(COMMON_KEYS).length} common keys). Do not edit by hand: run \`npm run gen:grammar\`.`,
    patterns: [inc('comment'), ...layers.map((l) => inc(sectionId(l))), inc('section-unknown'), inc('option-before-section')],
    repository,
  };
}

/** The file content exactly as committed. */
export function serializeGrammar(g: Grammar = buildGrammar()): string {
  return `${JSON.stringify(g, null, 2)}\n`;
}
