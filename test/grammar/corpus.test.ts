// The grammar agrees with the parser and the schema on every real cfg of the reference corpus:
// each header is classified like the analyser classifies it, each key is "known" exactly when the
// schema knows it for that section, comments are comments and inline `#` is flagged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusCfgs, readCfg } from '../corpus';
import { parseCfg } from '../../core/src/cfg/parse';
import { keySpec, layerSpec } from '../../core/src/cfg/schema';
import { SCOPES } from '../../scripts/grammar';
import { scopesAt, tokenizeLines } from './tokenize';

for (const name of corpusCfgs()) {
  test(`grammar matches the schema on ${name}`, async () => {
    const text = readCfg(name);
    const doc = parseCfg(text);
    const lines = await tokenizeLines(text);
    const problems: string[] = [];
    const expect = (line: number, character: number, scope: string, what: string) => {
      const scopes = scopesAt(lines[line], character);
      if (!scopes.includes(scope))
        problems.push(`${name}:${line + 1}:${character + 1} ${what}: expected ${scope}, got ${scopes.join(' ')}`);
    };
    for (const section of doc.sections) {
      const spec = section.header === `[${section.name}]` ? layerSpec(section.name) : undefined;
      const scope = !spec ? SCOPES.unknownSection : spec.name === 'net' ? SCOPES.netSection : SCOPES.layerSection;
      const nameAt = text.split(/\r?\n/)[section.line].indexOf(section.name);
      expect(section.line, nameAt, scope, `[${section.name}]`);
      for (const o of section.options) {
        if (o.value === undefined) {
          expect(o.line, o.keyRange.start.character, SCOPES.missingEquals, o.key);
          continue;
        }
        const known = spec !== undefined && keySpec(spec, o.key) !== undefined;
        expect(o.line, o.keyRange.start.character, known ? SCOPES.knownKey : SCOPES.unknownKey, `key ${o.key}`);
        const hash = o.value.indexOf('#');
        if (hash >= 0)
          expect(o.line, text.split(/\r?\n/)[o.line].indexOf('#', o.valueRange.start.character), SCOPES.inlineComment, 'inline #');
      }
    }
    text.split(/\r?\n/).forEach((l, i) => {
      const m = /^\s*([#;])/.exec(l);
      if (m) expect(i, m[0].length - 1, m[1] === '#' ? SCOPES.commentHash : SCOPES.commentSemicolon, 'comment');
    });
    assert.ok(doc.sections.length > 1, 'no sections parsed');
    assert.deepEqual(problems, []);
  });
}
