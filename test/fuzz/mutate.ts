// Deterministic cfg mutations for fuzzing: a seeded PRNG and the edits a user (or a broken tool) makes.

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  '\u{1F600}',
  '\uD800',
  '\uDC00',
  'é',
  '\u0000',
  '\t',
  '\r',
  '\n',
  '\r\n',
  '[',
  ']',
  '=',
  ',',
  '#',
  ';',
  '-',
  ' ',
  '\u00A0',
  '\u2028',
  '\uFEFF',
];
const NUMBERS = [
  '999999999999999999999',
  '-2147483648',
  '2147483647',
  '-1',
  '0',
  '1e308',
  'nan',
  'inf',
  '-0',
  '0x1p4',
  '4294967296',
  '-999999',
];
const HEADERS = [
  '[convolutional]',
  '[route]',
  '[shortcut]',
  '[yolo]',
  '[net]',
  '[maxpool]',
  '[upsample]',
  '[',
  '[]',
  '[conv',
  '[lstm]',
  '[bogus]',
  '[sam]',
  '[scale_channels]',
];
const KEYS = [
  'layers',
  'from',
  'filters',
  'size',
  'stride',
  'mask',
  'anchors',
  'groups',
  'group_id',
  'classes',
  'num',
  'width',
  'height',
  'activation',
  'share_index',
];

export type Mutation = (text: string, rnd: () => number) => string;

const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)];

const MUTATIONS: [string, Mutation][] = [
  [
    'delete line',
    (t, r) => {
      const l = t.split('\n');
      l.splice(Math.floor(r() * l.length), 1);
      return l.join('\n');
    },
  ],
  [
    'duplicate line',
    (t, r) => {
      const l = t.split('\n');
      const i = Math.floor(r() * l.length);
      l.splice(i, 0, l[i]);
      return l.join('\n');
    },
  ],
  [
    'swap lines',
    (t, r) => {
      const l = t.split('\n');
      const i = Math.floor(r() * l.length),
        j = Math.floor(r() * l.length);
      [l[i], l[j]] = [l[j], l[i]];
      return l.join('\n');
    },
  ],
  [
    'delete section',
    (t, r) => {
      const l = t.split('\n');
      const heads = l.map((x, i) => (x.trimStart().startsWith('[') ? i : -1)).filter((i) => i >= 0);
      if (!heads.length) return t;
      const k = Math.floor(r() * heads.length);
      const end = heads[k + 1] ?? l.length;
      l.splice(heads[k], end - heads[k]);
      return l.join('\n');
    },
  ],
  [
    'duplicate section',
    (t, r) => {
      const l = t.split('\n');
      const heads = l.map((x, i) => (x.trimStart().startsWith('[') ? i : -1)).filter((i) => i >= 0);
      if (!heads.length) return t;
      const k = Math.floor(r() * heads.length);
      const end = heads[k + 1] ?? l.length;
      l.splice(end, 0, ...l.slice(heads[k], end));
      return l.join('\n');
    },
  ],
  [
    'random chars',
    (t, r) => {
      const i = Math.floor(r() * (t.length + 1));
      let s = '';
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) s += pick(NASTY, r);
      return t.slice(0, i) + s + t.slice(i);
    },
  ],
  [
    'delete chars',
    (t, r) => {
      const i = Math.floor(r() * t.length);
      return t.slice(0, i) + t.slice(i + 1 + Math.floor(r() * 8));
    },
  ],
  ['truncate', (t, r) => t.slice(0, Math.floor(r() * t.length))],
  ['huge number', (t, r) => t.replace(/=\s*-?\d+/g, (m) => (r() < 0.08 ? '=' + pick(NUMBERS, r) : m))],
  [
    'negative refs',
    (t, r) =>
      t.replace(/^(\s*(?:layers|from)\s*=).*$/gm, (m, k: string) =>
        r() < 0.3 ? `${k}${-Math.floor(r() * 300)}, ${Math.floor(r() * 300) - 100}` : m,
      ),
  ],
  ['CRLF', (t) => t.replace(/\n/g, '\r\n')],
  ['lone CR', (t) => t.replace(/\n/g, '\r')],
  [
    'insert header',
    (t, r) => {
      const l = t.split('\n');
      l.splice(Math.floor(r() * l.length), 0, pick(HEADERS, r));
      return l.join('\n');
    },
  ],
  [
    'insert key',
    (t, r) => {
      const l = t.split('\n');
      l.splice(Math.floor(r() * l.length), 0, `${pick(KEYS, r)}=${r() < 0.5 ? pick(NUMBERS, r) : pick(NASTY, r)}`);
      return l.join('\n');
    },
  ],
  ['drop equals', (t, r) => t.replace(/=/g, (m) => (r() < 0.05 ? ' ' : m))],
  ['unicode', (t, r) => t.replace(/[a-z]/g, (m) => (r() < 0.01 ? pick(['ё', '\u{1F4A9}', 'ß', '\u0301'], r) : m))],
  ['empty', () => ''],
];

/** Applies 1–4 random mutations; returns the text and their names. */
export function mutate(text: string, rnd: () => number): { text: string; applied: string[] } {
  const applied: string[] = [];
  let out = text;
  for (let k = 1 + Math.floor(rnd() * 4); k > 0; k--) {
    const [name, m] = MUTATIONS[Math.floor(rnd() * (MUTATIONS.length - (rnd() < 0.98 ? 1 : 0)))];
    out = m(out, rnd);
    applied.push(name);
  }
  return { text: out, applied };
}

/** A random position inside (or slightly past) the text, in LSP line/character terms. */
export function randomPosition(text: string, rnd: () => number): { line: number; character: number } {
  const lines = text.split(/\r\n|\r|\n/);
  const line = Math.floor(rnd() * (lines.length + 1));
  const len = lines[line]?.length ?? 0;
  return { line, character: Math.floor(rnd() * (len + 3)) };
}
