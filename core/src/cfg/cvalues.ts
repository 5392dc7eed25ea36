// Darknet reads numbers with C's atoi/atof: the longest valid prefix counts, garbage gives 0.

const FLOAT_PREFIX =
  /^[+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)/i;
const INT_PREFIX = /^[+-]?\d+/;

export function atoi(s: string): number {
  const m = INT_PREFIX.exec(s);
  if (!m) return 0;
  const v = parseInt(m[0], 10);
  return v | 0;
}

export function atof(s: string): number {
  const m = FLOAT_PREFIX.exec(s);
  if (!m) return 0;
  const t = m[0].toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[+-]/, '');
  if (body.startsWith('inf')) return sign * Infinity;
  if (body === 'nan') return NaN;
  if (body.startsWith('0x')) return sign * parseHexFloat(body.slice(2));
  return Number(t);
}

function parseHexFloat(s: string): number {
  const [mant, exp] = s.split('p');
  const [ip, fp = ''] = mant.split('.');
  let v = ip ? parseInt(ip, 16) : 0;
  for (let i = 0; i < fp.length; i++) v += parseInt(fp[i], 16) / 16 ** (i + 1);
  return v * 2 ** (exp ? parseInt(exp, 10) : 0);
}

export const isCleanInt = (s: string): boolean => /^[+-]?\d+$/.test(s);
export const isCleanFloat = (s: string): boolean => FLOAT_PREFIX.exec(s)?.[0].length === s.length && s.length > 0;

/** Splits a raw (source) value on commas, with each item's offset inside the raw text, trimmed. */
export function splitItems(raw: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let pos = 0;
  for (const part of raw.split(',')) {
    const lead = part.length - part.trimStart().length;
    const trimmed = part.trim();
    out.push({ text: trimmed.replace(/\s+/g, ''), start: pos + lead, end: pos + lead + trimmed.length });
    pos += part.length + 1;
  }
  return out;
}

/** The list as darknet's mask/anchors/steps parsers read it: counting stops at a `#`. */
export function listUntilHash(value: string): string[] {
  const cut = value.indexOf('#');
  return (cut >= 0 ? value.slice(0, cut) : value).split(',');
}
