// The first-run walkthrough (package.json contributes.walkthroughs): every step names a command the
// extension contributes (or a built-in one listed here) in its description and completion event,
// its media exists and is shipped by .vscodeignore's allowlist, and the steps follow the workflow
// from opening a cfg to exporting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../client/src/constants';
import { REPO } from '../corpus';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { image?: string; markdown?: string; altText?: string };
  completionEvents?: string[];
}
interface Walkthrough {
  id: string;
  title: string;
  description: string;
  steps: Step[];
}
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  contributes: { walkthroughs?: Walkthrough[]; commands: { command: string }[] };
};
const [walkthrough] = pkg.contributes.walkthroughs ?? [];
const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
/** VS Code's own commands a step may link to. */
const BUILT_IN = new Set(['workbench.action.files.openFile']);

const linkedCommands = (s: Step) => [...s.description.matchAll(/\(command:([\w.]+)(?:\?[^)]*)?\)/g)].map((m) => m[1]);

test('one walkthrough, its steps in the order of the workflow', () => {
  assert.ok(walkthrough, 'no walkthrough contributed');
  assert.deepEqual(
    walkthrough.steps.map((s) => s.id),
    ['openCfg', 'shapes', 'weights', 'gamma', 'prune', 'compare', 'export'],
  );
  assert.equal(new Set(walkthrough.steps.map((s) => s.id)).size, walkthrough.steps.length);
});

test('every step links a command that exists', () => {
  for (const s of walkthrough.steps) {
    const cmds = linkedCommands(s);
    assert.ok(cmds.length > 0, `${s.id}: no command link`);
    for (const c of cmds) assert.ok(contributed.has(c) || BUILT_IN.has(c), `${s.id}: command:${c} is not contributed`);
    for (const e of s.completionEvents ?? []) {
      const cmd = /^onCommand:(.+)$/.exec(e)?.[1];
      if (cmd) assert.ok(contributed.has(cmd), `${s.id}: completion event ${e}`);
      else assert.match(e, /^onLanguage:darknet-cfg$/, `${s.id}: completion event ${e}`);
    }
  }
  // The Darknet commands the workflow needs are all reachable from the walkthrough.
  const linked = new Set(walkthrough.steps.flatMap(linkedCommands));
  for (const c of [
    COMMANDS.showNetworkGraph,
    COMMANDS.synthesizeWeights,
    COMMANDS.showGammaHistogram,
    COMMANDS.pruneChannels,
    COMMANDS.compareWithOriginal,
    COMMANDS.exportOnnx,
    COMMANDS.showRuntimeStatus,
  ]) {
    assert.ok(linked.has(c), `${c} is not in the walkthrough`);
  }
});

test("every step's media exists and is shipped", () => {
  const allow = readFileSync(join(REPO, '.vscodeignore'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1).trim());
  const glob = (p: string) =>
    new RegExp(
      `^${p
        .split('**/')
        .map((part) =>
          part
            .split('*')
            .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*'),
        )
        .join('(?:.*/)?')}$`,
    );
  for (const s of walkthrough.steps) {
    const file = s.media.image ?? s.media.markdown;
    assert.ok(file, `${s.id}: no media`);
    assert.ok(existsSync(join(REPO, file)), `${s.id}: ${file} is missing`);
    assert.ok(
      allow.some((p) => glob(p).test(file)),
      `${s.id}: ${file} is not in .vscodeignore's allowlist`,
    );
    if (s.media.image) assert.ok(s.media.altText, `${s.id}: image without altText`);
  }
});
