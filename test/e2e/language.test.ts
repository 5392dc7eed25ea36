// Real VS Code (code-server + Chromium) with the built .vsix: the Darknet cfg language features
// a user sees — diagnostics in the Problems panel, hover on section headers, the language mode and
// status item, TextMate highlighting, and the "treat as Darknet cfg" command.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VSCode, corpusDir, TEST_TIMEOUT, TIMEOUT } from './harness';
import { repoRoot } from '../package/vsix';

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  contributes?: {
    languages?: { id: string; aliases?: string[] }[];
    commands?: { command: string; title: string; category?: string }[];
  };
};
const language = pkg.contributes?.languages?.find((l) => l.id === 'darknet-cfg');
const languageName = language?.aliases?.[0] ?? 'darknet-cfg';
const treatCmd = pkg.contributes?.commands?.find((c) => c.command === 'darknet.treatAsDarknetCfg');

// yolov4-tiny with one planted error: the conv before the first [yolo] gets 254 filters, not 255.
const original = readFileSync(join(corpusDir, 'cfg', 'yolov4-tiny.cfg'), 'utf8');
const lines = original.split('\n');
const firstYolo = lines.findIndex((l) => l.trim() === '[yolo]');
let plantedLine = -1;
for (let i = firstYolo; i >= 0; i--) {
  if (/^filters\s*=\s*255\s*$/.test(lines[i].trim())) {
    plantedLine = i;
    break;
  }
}
assert.ok(firstYolo > 0 && plantedLine > 0, 'yolov4-tiny.cfg no longer has filters=255 before its first [yolo]');
lines[plantedLine] = lines[plantedLine].replace('255', '254');
const planted = lines.join('\n');

let vs: VSCode;

before(async () => {
  vs = await VSCode.start({
    name: 'language',
    files: {
      'models/yolov4-tiny.cfg': planted,
      'models/clean-tiny.cfg': original,
      // Not detectable as darknet (no [net] on the first line): must open in another language.
      'other/model.cfg': `# a darknet cfg with a leading comment\n${original}`,
    },
  });
});

after(async () => {
  await vs?.close();
});

const step = <T>(name: string, fn: () => Promise<T>) => vs.step(name, fn);

test('a Darknet cfg opens in the darknet-cfg language with its language status item', { timeout: TEST_TIMEOUT }, () =>
  step('language-mode', async () => {
    assert.ok(language, 'package.json contributes no darknet-cfg language');
    await vs.openFile('models/yolov4-tiny.cfg');
    const mode = vs.page.locator('.statusbar-item[id="status.editor.mode"]');
    await mode.filter({ hasText: languageName }).waitFor({ timeout: TIMEOUT });
    // The language status items ({} next to the mode): the server's state and the network summary.
    const status = vs.page.locator('.statusbar-item[id="status.languageStatus"]');
    await status.waitFor({ state: 'visible', timeout: TIMEOUT });
    await status.hover();
    const items = vs.page.locator('.hover-language-status');
    await items.first().waitFor({ state: 'visible', timeout: TIMEOUT });
    const texts = async () => (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    // yolov4-tiny: 38 layers, 6.910 BFLOPs at 416×416 (darknet's own count), and the planted error.
    await items
      .filter({ hasText: /38 layers/ })
      .first()
      .waitFor({ timeout: TIMEOUT })
      .catch(async () => {
        throw new Error(`no network summary in the language status: ${JSON.stringify(await texts())}`);
      });
    const all = await texts();
    assert.ok(
      all.some((t) => /38 layers/.test(t) && /6\.910 BFLOPs/.test(t) && /1 error/.test(t)),
      JSON.stringify(all),
    );
    assert.ok(
      all.some((t) => /Darknet/.test(t) && /ready/i.test(t)),
      `server status not ready: ${JSON.stringify(all)}`,
    );
    await vs.screenshot('language-status');
    await vs.dismiss();
  }),
);

test('the planted filters=254 before [yolo] shows the yolo-filters error in the Problems panel', { timeout: TEST_TIMEOUT }, () =>
  step('problems', async () => {
    const p = await vs.waitForProblem('should be 255');
    assert.match(p.label + p.text, /filters=254/);
    assert.match(p.label + p.text, /yolo-filters/, `the problem does not carry its code: ${p.label}`);
    // Exactly one error: the untouched copy of the same model has none.
    await vs.openFile('models/clean-tiny.cfg');
    const all = await vs.problems();
    const yolo = all.filter((r) => /should be 255/.test(r.label + r.text));
    assert.equal(yolo.length, 1, `expected one yolo-filters problem, got:\n${all.map((r) => r.label).join('\n')}`);
    await vs.screenshot('problems');
  }),
);

test('hover on section headers shows the layer index, type, in→out shape, params and BFLOPs', { timeout: TEST_TIMEOUT }, () =>
  step('hover', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    // Layer 0: darknet prints "0 conv 32 3 x 3/ 2 416 x 416 x 3 -> 208 x 208 x 32 0.075 BF".
    const first = lines.findIndex((l) => l.trim() === '[convolutional]') + 1;
    const h0 = await vs.hoverAt(first, '[convolutional]', { expect: 'Layer 0' });
    assert.match(h0, /Layer 0 · convolutional/);
    assert.match(h0, /416×416×3 → 208×208×32/);
    assert.match(h0, /params\s+928\b/); // 864 weights + 32 biases + 32 BN scales
    assert.match(h0, /\.weights floats\s+992\b/); // + 32 rolling means + 32 rolling variances
    assert.match(h0, /BFLOPs\s+0\.075/);
    await vs.screenshot('hover-layer0');
    await vs.dismiss();
    // The planted layer (29): its output follows the edited filters.
    const header = lines.slice(0, plantedLine).lastIndexOf('[convolutional]') + 1;
    const h29 = await vs.hoverAt(header, 1, { expect: 'Layer 29' });
    assert.match(h29, /13×13×512 → 13×13×254/);
    await vs.screenshot('hover-layer29');
    await vs.dismiss();
  }),
);

test('the TextMate grammar scopes section headers', { timeout: TEST_TIMEOUT }, () =>
  step('highlighting', async () => {
    await vs.openFile('models/yolov4-tiny.cfg');
    const line = lines.findIndex((l) => l.trim() === '[convolutional]') + 1;
    await vs.goTo(line, 3);
    await vs.runCommand('Developer: Inspect Editor Tokens and Scopes');
    const widget = vs.page.locator('.token-inspect-widget');
    await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
    await widget.getByText('source.darknet-cfg').first().waitFor({ timeout: TIMEOUT });
    const text = await widget.innerText();
    assert.match(text, /darknet-cfg/, text);
    assert.match(text, /section/, `no section scope at [convolutional]: ${text}`);
    await vs.screenshot('token-scopes');
    await vs.dismiss();
    // And the editor renders more than one token colour on the visible lines.
    const classes = await vs
      .editor()
      .locator('.view-line span[class^="mtk"], .view-line span[class*=" mtk"]')
      .evaluateAll((els: Element[]) =>
        [...new Set(els.map((e) => e.className.split(' ').find((c: string) => /^mtk\d+$/.test(c)) ?? ''))].filter(Boolean),
      );
    assert.ok(classes.length >= 3, `only ${classes.length} token colours on screen: ${classes.join(' ')}`);
  }),
);

test('"treat as Darknet cfg" switches a .cfg without [net] on its first line', { timeout: TEST_TIMEOUT }, () =>
  step('treat-as', async () => {
    assert.ok(treatCmd, 'package.json contributes no darknet.treatAsDarknetCfg command');
    await vs.openFile('other/model.cfg');
    const mode = vs.page.locator('.statusbar-item[id="status.editor.mode"]');
    // The mode item still names the previous editor's language until it follows the new editor.
    await mode
      .filter({ hasNotText: languageName })
      .waitFor({ timeout: TIMEOUT })
      .catch(async () => {
        assert.fail(`a .cfg without [net] first was claimed by darknet-cfg: the mode shows ${await mode.innerText()}`);
      });
    await vs.runCommand(treatCmd.category ? `${treatCmd.category}: ${treatCmd.title}` : treatCmd.title);
    await mode.filter({ hasText: languageName }).waitFor({ timeout: TIMEOUT });
    await vs.screenshot('treat-as');
  }),
);

test('no CSP violations or extension errors in the browser console', () => {
  assert.deepEqual(vs.cspViolations, []);
  const ours = vs.consoleErrors.filter((e) => /darknet/i.test(e));
  assert.deepEqual(ours, []);
});
