// The committed grammar must be exactly what scripts/gen-grammar.ts generates from the schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../corpus';
import { GRAMMAR_PATH, SCOPE_NAME, buildGrammar, serializeGrammar } from '../../scripts/grammar';
import { allLayerSpecs } from '../../core/src/cfg/schema';

test('syntaxes/darknet-cfg.tmLanguage.json is up to date with the schema (npm run gen:grammar)', () => {
  const committed = readFileSync(join(REPO, GRAMMAR_PATH), 'utf8');
  assert.equal(committed, serializeGrammar());
});

test('the grammar has one section rule per layer type, each naming the canonical name and all aliases', () => {
  const g = buildGrammar();
  assert.equal(g.scopeName, SCOPE_NAME);
  for (const layer of allLayerSpecs()) {
    const rule = g.repository[`section-${layer.name.toLowerCase()}`];
    assert.ok(rule?.begin, `no section rule for [${layer.name}]`);
    for (const n of [layer.name, ...layer.aliases]) {
      assert.match(`[${n}]`, new RegExp(rule.begin), `[${n}] not matched by ${rule.begin}`);
    }
    assert.ok(g.patterns.some((p) => p.include === `#section-${layer.name.toLowerCase()}`));
  }
});

test('every include refers to a repository entry', () => {
  const g = buildGrammar();
  const seen: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v))
        if (k === 'include' && typeof x === 'string') seen.push(x);
        else walk(x);
    }
  };
  walk(g);
  assert.ok(seen.length > 50);
  for (const inc of seen) assert.ok(inc.startsWith('#') && g.repository[inc.slice(1)], `dangling include ${inc}`);
});
