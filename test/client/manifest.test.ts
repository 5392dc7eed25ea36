// package.json contributions for the darknet-cfg language: consistent with the grammar, the
// snippets, the client's command ids and the server's setting defaults, and never claiming
// every .cfg file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, corpusCfgs, readCfg } from '../corpus';
import { COMMANDS, CONFIG_SECTION, JOB_COMMANDS, LANGUAGE_ID, SERVER_MODULE } from '../../client/src/constants';
import { SETTINGS } from '../../client/src/config/settings';
import { LENS_COMMANDS } from '../../core/src/protocol/lsp';
import { SCOPE_NAME } from '../../scripts/grammar';
import { DEFAULT_SETTINGS } from '../../server/src/settings';

interface Language {
  id: string;
  aliases?: string[];
  extensions?: string[];
  filenames?: string[];
  filenamePatterns?: string[];
  firstLine?: string;
  configuration?: string;
}
interface Manifest {
  main: string;
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] } };
  activationEvents: string[];
  contributes: {
    languages: Language[];
    grammars: { language?: string; scopeName: string; path: string }[];
    snippets: { language: string; path: string }[];
    commands: { command: string; title: string; category?: string }[];
    menus: Record<string, { command: string; when?: string }[]>;
    configuration: { title: string; properties: Record<string, { type: string; default: unknown; enum?: string[]; scope?: string }> };
  };
}
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Manifest;
const c = pkg.contributes;
const lang = c.languages.find((l) => l.id === LANGUAGE_ID)!;
const file = (p: string) => join(REPO, p);

/** VS Code glob semantics for a basename pattern: `*` is any run of characters except `/`. */
const globMatch = (pattern: string, name: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  ).test(name);
const claims = (name: string, firstLine: string) =>
  (lang.filenamePatterns ?? []).some((p) => globMatch(p, name)) || new RegExp(lang.firstLine!).test(firstLine);

test('the language is contributed with an alias and a language configuration', () => {
  assert.ok(lang, `no ${LANGUAGE_ID} language in package.json`);
  assert.ok(lang.aliases?.includes('Darknet cfg'));
  const conf = JSON.parse(readFileSync(file(lang.configuration!), 'utf8')) as { comments: { lineComment: string }; brackets: string[][] };
  assert.equal(conf.comments.lineComment, '#');
  assert.deepEqual(conf.brackets, [['[', ']']]);
});

test('the language never claims every .cfg: no extension, no bare *.cfg pattern', () => {
  for (const l of c.languages) {
    assert.ok(!(l.extensions ?? []).some((e) => e.toLowerCase() === '.cfg'), `${l.id} claims the .cfg extension`);
    assert.ok(!(l.filenamePatterns ?? []).some((p) => p === '*.cfg' || p === '**/*.cfg'), `${l.id} claims *.cfg`);
  }
  for (const [name, first] of [
    ['setup.cfg', '[metadata]'],
    ['tox.cfg', '[tox]'],
    ['setup.cfg', '[flake8]'],
    ['config.cfg', 'key = value'],
    ['app.cfg', '[net]#old'],
  ]) {
    assert.equal(claims(name, first), false, `${name} starting with ${first} would open as Darknet cfg`);
  }
});

test('first line [net] / [network] (with optional whitespace) selects the language', () => {
  const re = new RegExp(lang.firstLine!);
  for (const ok of ['[net]', '[network]', '  [ net ]  ', '[network]\t']) assert.match(ok, re);
  for (const no of ['[nets]', '[convolutional]', '# [net]', '[net] x', '[Net]']) assert.doesNotMatch(no, re);
  for (const name of corpusCfgs())
    assert.ok(claims('renamed.cfg', readCfg(name).split(/\r?\n/, 1)[0]), `${name}: first line not recognised`);
});

test('filename patterns catch the usual Darknet cfg names', () => {
  for (const name of [
    'yolov4-tiny.cfg',
    'yolov3-spp.cfg',
    'my-yolo-model.cfg',
    'csdarknet53-omega.cfg',
    'model.darknet.cfg',
    'Gaussian_yolov3_BDD.cfg',
  ]) {
    assert.ok(claims(name, ''), `${name} not matched by ${lang.filenamePatterns!.join(', ')}`);
  }
  for (const name of ['yolov4.weights', 'darknet.txt', 'setup.cfg']) assert.equal(claims(name, ''), false, name);
});

test('grammar and snippets are contributed for the language and exist', () => {
  const g = c.grammars.find((x) => x.language === LANGUAGE_ID)!;
  assert.equal(g.scopeName, SCOPE_NAME);
  assert.equal((JSON.parse(readFileSync(file(g.path), 'utf8')) as { scopeName: string }).scopeName, SCOPE_NAME);
  const s = c.snippets.find((x) => x.language === LANGUAGE_ID)!;
  assert.ok(existsSync(file(s.path)), s.path);
});

test('commands match the client ids, in the Darknet category, and menus only name declared commands', () => {
  const declared = new Set(c.commands.map((x) => x.command));
  assert.deepEqual(
    [...declared].sort(),
    Object.values(COMMANDS).sort(),
    'package.json contributes.commands and the client table (client/src/constants.ts) differ',
  );
  for (const id of Object.values(LENS_COMMANDS))
    assert.ok(Object.values(COMMANDS).includes(id), `the server's lens command ${id} is not a client command`);
  for (const [name, title] of Object.entries(JOB_COMMANDS)) {
    assert.equal(c.commands.find((x) => x.command === COMMANDS[name as keyof typeof COMMANDS])?.title, title, name);
  }
  for (const cmd of c.commands) assert.equal(cmd.category, 'Darknet', cmd.command);
  const treat = c.commands.find((x) => x.command === COMMANDS.treatAsDarknetCfg)!;
  assert.equal(treat.title, 'Treat File as Darknet cfg');
  for (const [where, items] of Object.entries(c.menus)) for (const m of items) assert.ok(declared.has(m.command), `${where}: ${m.command}`);
  const contextEntries = [...(c.menus['editor/context'] ?? []), ...(c.menus.commandPalette ?? [])].filter(
    (m) => m.command === COMMANDS.treatAsDarknetCfg,
  );
  assert.ok(contextEntries.length >= 1);
  for (const m of contextEntries) assert.match(m.when ?? '', /editorLangId != darknet-cfg/);
});

test('activation events and entry points', () => {
  assert.ok(pkg.activationEvents.includes(`onLanguage:${LANGUAGE_ID}`));
  assert.ok(pkg.activationEvents.includes(`onCommand:${COMMANDS.treatAsDarknetCfg}`));
  assert.equal(pkg.main, './client/out/extension.js');
  assert.match(SERVER_MODULE, /^server\/out\/server\.js$/);
});

test('settings: package.json declares exactly the typed settings of the client, with their types, defaults and enums', () => {
  const p = c.configuration.properties;
  assert.deepEqual(
    Object.keys(p).sort(),
    Object.keys(SETTINGS)
      .map((k) => `${CONFIG_SECTION}.${k}`)
      .sort(),
  );
  for (const [key, s] of Object.entries(SETTINGS)) {
    const declared = p[`${CONFIG_SECTION}.${key}`];
    assert.equal(declared.type, s.type, key);
    assert.equal(declared.default, s.default, key);
    assert.deepEqual(declared.enum, 'enum' in s ? s.enum : undefined, key);
  }
});

test('workspace trust: limited support, and every executable path setting is restricted', () => {
  const trust = pkg.capabilities?.untrustedWorkspaces;
  assert.ok(trust, 'capabilities.untrustedWorkspaces missing');
  assert.equal(trust.supported, 'limited');
  assert.match(trust.description ?? '', /Restricted Mode/);
  const restricted = trust.restrictedConfigurations ?? [];
  assert.ok(restricted.includes('darknet.pruner.nodePath'));
  for (const key of restricted) assert.ok(c.configuration.properties[key], `${key} is not a setting`);
  for (const [key, prop] of Object.entries(c.configuration.properties)) {
    if (prop.type === 'string' && /path$/i.test(key))
      assert.ok(restricted.includes(key), `${key} names an executable path but is not restricted`);
  }
});

test('settings: darknet.* with the documented defaults, equal to the server defaults', () => {
  const p = c.configuration.properties;
  assert.deepEqual(p[`${CONFIG_SECTION}.trace.server`].enum, ['off', 'messages', 'verbose']);
  assert.equal(p['darknet.trace.server'].default, 'off');
  const expected: Record<string, unknown> = {
    'darknet.diagnostics.debounceMs': DEFAULT_SETTINGS.diagnostics.debounceMs,
    'darknet.inlayHints.layerIndex': DEFAULT_SETTINGS.inlayHints.layerIndex,
    'darknet.inlayHints.outputShape': DEFAULT_SETTINGS.inlayHints.outputShape,
    'darknet.inlayHints.references': DEFAULT_SETTINGS.inlayHints.references,
    'darknet.codeLens.enable': DEFAULT_SETTINGS.codeLens.enable,
  };
  for (const [key, def] of Object.entries(expected)) {
    assert.ok(p[key], `${key} missing`);
    assert.equal(p[key].default, def, key);
    assert.equal(p[key].type, typeof def === 'number' ? 'number' : 'boolean', key);
  }
  assert.equal(p['darknet.diagnostics.debounceMs'].default, 50);
  assert.equal(p['darknet.detectByFirstLine'].default, true);
  for (const key of Object.keys(p)) assert.match(key, /^darknet\./);
});
