// Writes syntaxes/darknet-cfg.tmLanguage.json from the layer schema.
// Usage: node --import tsx scripts/gen-grammar.ts [--check]
//   --check  exit 1 (and write nothing) when the committed grammar differs from the generated one.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GRAMMAR_PATH, serializeGrammar } from './grammar';

const target = resolve(__dirname, '..', GRAMMAR_PATH);
const text = serializeGrammar();
const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;

if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`${GRAMMAR_PATH} is out of date: run npm run gen:grammar`);
    process.exit(1);
  }
  console.log(`${GRAMMAR_PATH} is up to date`);
} else if (current === text) {
  console.log(`${GRAMMAR_PATH} unchanged`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${GRAMMAR_PATH} (${text.length} bytes)`);
}
