// The little XML that Pascal VOC annotations use: elements, text, attributes ignored; every element
// knows its line, so errors can say `a.xml:14:`. Comments, the XML declaration, DOCTYPE and CDATA are
// handled; namespaces are not needed.

export interface XmlElement {
  name: string;
  line: number;
  children: XmlElement[];
  text: string;
}

export class XmlError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? m;
  });
}

export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#document', line: 1, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let line = 1,
    pos = 0;
  const advance = (to: number) => {
    for (let i = pos; i < to; i++) if (text.charCodeAt(i) === 10) line++;
    pos = to;
  };
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const chunk = text.slice(pos, lt < 0 ? text.length : lt);
    stack[stack.length - 1].text += decodeText(chunk);
    advance(lt < 0 ? text.length : lt);
    if (lt < 0) break;
    const skip = (open: string, close: string): boolean => {
      if (!text.startsWith(open, pos)) return false;
      const end = text.indexOf(close, pos);
      if (end < 0) throw new XmlError(line, `unterminated ${open}`);
      if (open === '<![CDATA[') stack[stack.length - 1].text += text.slice(pos + open.length, end);
      advance(end + close.length);
      return true;
    };
    if (skip('<!--', '-->') || skip('<?', '?>') || skip('<![CDATA[', ']]>') || skip('<!', '>')) continue;
    const gt = text.indexOf('>', pos);
    if (gt < 0) throw new XmlError(line, 'unterminated tag');
    const m = /^<(\/?)\s*([A-Za-z_][\w.:-]*)[^>]*?(\/?)>$/s.exec(text.slice(pos, gt + 1));
    if (!m) throw new XmlError(line, `malformed tag ${text.slice(pos, Math.min(gt + 1, pos + 40))}`);
    const [, closing, name, selfClosing] = m;
    if (closing) {
      const top = stack.pop()!;
      if (top === root || top.name !== name)
        throw new XmlError(
          line,
          `</${name}> closes <${top === root ? '(nothing)' : top.name}>${top === root ? '' : ` of line ${top.line}`}`,
        );
    } else {
      const el: XmlElement = { name, line, children: [], text: '' };
      stack[stack.length - 1].children.push(el);
      if (!selfClosing) stack.push(el);
    }
    advance(gt + 1);
  }
  if (stack.length > 1)
    throw new XmlError(line, `<${stack[stack.length - 1].name}> of line ${stack[stack.length - 1].line} is never closed`);
  return root;
}

export const child = (el: XmlElement, name: string): XmlElement | undefined => el.children.find((c) => c.name === name);
export const children = (el: XmlElement, name: string): XmlElement[] => el.children.filter((c) => c.name === name);
