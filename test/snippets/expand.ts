// Expands a VS Code snippet body the way accepting every placeholder's default would:
// `${1:default}` (defaults may nest), `${1|first,second|}` (the first choice), `$1` / `${1}`
// (a mirror of placeholder 1's default, or empty), `$0`, and the escapes `\$`, `\}`, `\\`.

type Node = string | { index: number; children: Node[] | undefined; choice: string | undefined };

function parse(src: string, pos: number, inPlaceholder: boolean): { nodes: Node[]; pos: number } {
  const nodes: Node[] = [];
  let text = '';
  const flush = () => {
    if (text) nodes.push(text);
    text = '';
  };
  while (pos < src.length) {
    const c = src[pos];
    if (c === '\\' && pos + 1 < src.length && '$}\\'.includes(src[pos + 1])) {
      text += src[pos + 1];
      pos += 2;
      continue;
    }
    if (inPlaceholder && c === '}') return (flush(), { nodes, pos });
    if (c === '$') {
      const bare = /^\$(\d+)/.exec(src.slice(pos));
      if (bare) {
        flush();
        nodes.push({ index: +bare[1], children: undefined, choice: undefined });
        pos += bare[0].length;
        continue;
      }
      const head = /^\$\{(\d+)([:|}])/.exec(src.slice(pos));
      if (head) {
        flush();
        const index = +head[1];
        pos += head[0].length;
        if (head[2] === '}') {
          nodes.push({ index, children: undefined, choice: undefined });
          continue;
        }
        if (head[2] === '|') {
          const end = src.indexOf('|}', pos);
          if (end < 0) throw new Error(`unterminated choice at ${pos}`);
          nodes.push({ index, children: undefined, choice: src.slice(pos, end).split(',')[0] });
          pos = end + 2;
          continue;
        }
        const inner = parse(src, pos, true);
        if (src[inner.pos] !== '}') throw new Error(`unterminated placeholder \${${index}:`);
        nodes.push({ index, children: inner.nodes, choice: undefined });
        pos = inner.pos + 1;
        continue;
      }
      if (/^\$(\{)?[A-Za-z_]/.test(src.slice(pos))) throw new Error(`snippet variables are not expected here: ${src.slice(pos, pos + 20)}`);
    }
    text += c;
    pos++;
  }
  if (inPlaceholder) throw new Error('unterminated placeholder');
  flush();
  return { nodes, pos };
}

export function expandSnippet(body: string | string[]): string {
  const src = Array.isArray(body) ? body.join('\n') : body;
  const { nodes } = parse(src, 0, false);
  const defaults = new Map<number, Node[] | string>();
  const collect = (ns: Node[]) => {
    for (const n of ns) {
      if (typeof n === 'string') continue;
      if (n.choice !== undefined && !defaults.has(n.index)) defaults.set(n.index, n.choice);
      if (n.children) {
        if (!defaults.has(n.index)) defaults.set(n.index, n.children);
        collect(n.children);
      }
    }
  };
  collect(nodes);
  const render = (ns: Node[]): string =>
    ns
      .map((n) => {
        if (typeof n === 'string') return n;
        if (n.choice !== undefined) return n.choice;
        if (n.children) return render(n.children);
        const d = defaults.get(n.index);
        return d === undefined ? '' : typeof d === 'string' ? d : render(d);
      })
      .join('');
  return render(nodes);
}
