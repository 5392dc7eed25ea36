// The pure parts of the language status items: server phase → text/severity/command, and the
// network summary for the active cfg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCfg } from '../corpus';
import { COMMANDS } from '../../client/src/constants';
import { describeServerPhase } from '../../client/src/status/serverState';
import { summarizeNetwork as summarize } from '../../core/src/lang/summary';
const summarizeNetwork = (text: string) => summarize(analyseText(text));
import { analyseText } from '../../core/src/cfg/analyse';

test('server phases: starting is busy, ready is informational, stopped and failed offer a restart', () => {
  const starting = describeServerPhase({ kind: 'starting' });
  assert.equal(starting.busy, true);
  assert.equal(starting.severity, 'information');
  assert.match(starting.text, /starting/);

  const ready = describeServerPhase({ kind: 'ready', serverName: 'darknet-cfg-language-server', serverVersion: '0.1.0' });
  assert.equal(ready.busy, false);
  assert.equal(ready.severity, 'information');
  assert.equal(ready.detail, 'darknet-cfg-language-server 0.1.0 ready');
  assert.equal(ready.command.command, COMMANDS.showServerOutput);

  const stopped = describeServerPhase({ kind: 'stopped' });
  assert.equal(stopped.severity, 'warning');
  assert.equal(stopped.command.command, COMMANDS.restartServer);

  const failed = describeServerPhase({ kind: 'failed', error: 'Cannot find module server.js\n    at Module._resolve' });
  assert.equal(failed.severity, 'error');
  assert.equal(failed.detail, 'Cannot find module server.js');
  assert.equal(failed.command.command, COMMANDS.restartServer);
  assert.equal(describeServerPhase({ kind: 'failed', error: 'x'.repeat(500) }).detail.length, 158);
});

test('network summary of yolov4.cfg: layers and BFLOPs as the analyser computes them', () => {
  const text = readCfg('yolov4.cfg');
  const net = analyseText(text);
  const s = summarizeNetwork(text)!;
  assert.equal(s.text, `${net.totals.layers} layers · ${net.totals.bflops.toFixed(3)} BFLOPs`);
  assert.equal(net.totals.layers, 162);
  assert.match(s.detail, /^608×608×3 · [\d,]+ params · no errors$/);
  assert.equal(s.errors, 0);
});

test('network summary counts errors and skips empty or huge documents', () => {
  const s = summarizeNetwork('[net]\nwidth=32\nheight=32\nchannels=3\n[route]\nlayers=-5\n')!;
  assert.equal(s.errors, 1);
  assert.match(s.detail, /1 error$/);
  assert.equal(summarizeNetwork(''), undefined);
  assert.equal(summarizeNetwork('[net]\nwidth=32\n'), undefined);
});
