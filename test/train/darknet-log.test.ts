// Reading darknet's training output (core/src/train/darknet-log.ts): the iteration line of each
// darknet (2018 pjreddie/Debian, AlexeyAB, hank-ai — formats from their printf), the layer printout
// with what it does not know, located in the cfg; the [net] overrides of the run's cfg copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CfgProblemWatcher, locateProblems, parseIterationLine, parseSavingLine } from '../../core/src/train/darknet-log';

test('iteration lines of the three darknets', () => {
  assert.deepEqual(parseIterationLine('1: 13.661523, 13.661523 avg, 0.001000 rate, 0.010705 seconds, 1 images'), {
    iteration: 1,
    loss: 13.661523,
    avgLoss: 13.661523,
    rate: 0.001,
    seconds: 0.010705,
    images: 1,
  });
  assert.deepEqual(
    parseIterationLine(' 8001: 0.595442, 0.595442 avg loss, 0.001300 rate, 13.209250 seconds, 512064 images, -1.000000 hours left'),
    { iteration: 8001, loss: 0.595442, avgLoss: 0.595442, rate: 0.0013, seconds: 13.20925, images: 512064 },
  );
  const hank = parseIterationLine(
    '\x1b[1;37m12\x1b[0m: loss=\x1b[1;32m3.25\x1b[0m, avg loss=3.5, rate=0.00026, 812.3 milliseconds, 768 images, time remaining=2 hours',
  );
  assert.equal(hank?.iteration, 12);
  assert.equal(hank?.loss, 3.25);
  assert.equal(hank?.avgLoss, 3.5);
  assert.equal(hank?.rate, 0.00026);
  assert.equal(hank?.images, 768);
  assert.ok(Number.isNaN(parseIterationLine('3: nan, nan avg, 0.001000 rate, 0.01 seconds, 3 images')?.loss));
  for (const other of ['Loaded: 0.000095 seconds', 'Region 16 Avg IOU: 0.3, Class: 0.4', '   12 conv     32  3 x 3 / 1'])
    assert.equal(parseIterationLine(other), undefined, other);
  assert.equal(parseSavingLine('Saving weights to /r/backup/tiny_final.weights'), '/r/backup/tiny_final.weights');
});

test("what darknet does not know, located in the cfg (its layer index + 1 is the cfg's section)", () => {
  const cfg =
    '[net]\nwidth=64\nmosaic=1\n\n[convolutional]\nfilters=4\nactivation=mish\n\n[sam]\nfrom=-1\n\n[yolo]\nclasses=2\nscale_x_y=1.05\n';
  const w = new CfgProblemWatcher();
  for (const line of [
    'layer     filters    size              input                output',
    "    0 Couldn't find activation function mish, going with ReLU",
    'conv      4  3 x 3 / 1    64 x  64 x   3   ->    64 x  64 x   4  0.001 BFLOPs',
    '    1 Type not recognized: [sam]',
    "Unused field: 'from = -1'",
    '    2 yolo',
    "Unused field: 'scale_x_y = 1.05'",
    '1: 13.661523, 13.661523 avg, 0.001000 rate, 0.010705 seconds, 1 images',
  ])
    w.line(line);
  assert.deepEqual(w.problems, [
    { kind: 'activation', layer: 0, name: 'mish' },
    { kind: 'layer', layer: 1, name: 'sam' },
    { kind: 'key', layer: 2, name: 'scale_x_y' },
  ]);
  assert.deepEqual(locateProblems('m.cfg', cfg, w.problems), [
    'm.cfg:7: layer 0 [convolutional]: activation=mish is unknown to this darknet (it would train with ReLU instead)',
    'm.cfg:9: layer 1 [sam]: the layer type [sam] is unknown to this darknet',
    'm.cfg:14: layer 2 [yolo]: scale_x_y= is unknown to this darknet (it would train without it)',
  ]);
});
