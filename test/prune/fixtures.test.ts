// docs/pruning.md §Fixtures: sets, γ counts, groups, heads, layer-prune candidates and routes, derived
// from the analysed graph; plus the threshold index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseText } from '../../core/src/cfg/analyse';
import { analyseChannelStructure } from '../../core/src/prune/structure';
import { populationOf, thresholdIndex } from '../../core/src/prune/plan';
import { residualUnits } from '../../core/src/prune/layer';
import { readCfg } from '../corpus';

const gammaCount = (net: ReturnType<typeof analyseText>, set: number[]) => set.reduce((a, i) => a + net.layers[i].attrs.filters!, 0);

interface Fixture {
  cfg: string;
  blocks: number;
  bn: number;
  nonBn: number[];
  common: number[];
  s0: [number, number];
  s1: [number, number];
  groups: number[][];
  shortcutPop?: [number, number];
  candidates: number[];
  routes: Record<number, string>;
  excludedS0?: number[];
}

const V3_GROUPS = [
  [1, 3],
  [5, 7, 10],
  [12, 14, 17, 20, 23, 26, 29, 32, 35],
  [37, 39, 42, 45, 48, 51, 54, 57, 60],
  [62, 64, 67, 70, 73],
];
const V3_CAND = [3, 7, 10, 14, 17, 20, 23, 26, 29, 32, 35, 39, 42, 45, 48, 51, 54, 57, 60, 64, 67, 70, 73];
const FIXTURES: Fixture[] = [
  {
    cfg: 'yolov3.cfg',
    blocks: 107,
    bn: 72,
    nonBn: [81, 93, 105],
    common: [84, 96],
    s0: [42, 13376],
    s1: [70, 25920],
    groups: V3_GROUPS,
    shortcutPop: [47, 15360],
    candidates: V3_CAND,
    routes: { 83: '-4', 86: '-1,61', 95: '-4', 98: '-1,36' },
    excludedS0: [1, 3, 5, 7, 10, 12, 14, 17, 20, 23, 26, 29, 32, 35, 37, 39, 42, 45, 48, 51, 54, 57, 60, 62, 64, 67, 70, 73, 84, 96],
  },
  {
    cfg: 'yolov3-spp.cfg',
    blocks: 114,
    bn: 73,
    nonBn: [88, 100, 112],
    common: [77, 91, 103],
    s0: [42, 13376],
    s1: [70, 25920],
    groups: V3_GROUPS,
    candidates: V3_CAND,
    routes: { 79: '-2', 81: '-4', 83: '-1,-3,-5,-6', 90: '-4', 93: '-1,61', 102: '-4', 105: '-1,36' },
  },
  {
    cfg: 'yolov4.cfg',
    blocks: 162,
    bn: 107,
    nonBn: [138, 149, 160],
    common: [107, 117, 127],
    s0: [76, 25920],
    s1: [104, 32256],
    groups: [
      [4, 6],
      [14, 16, 19],
      [27, 29, 32, 35, 38, 41, 44, 47, 50],
      [58, 60, 63, 66, 69, 72, 75, 78, 81],
      [89, 91, 94, 97, 100],
    ],
    shortcutPop: [81, 26944],
    candidates: [6, 16, 19, 29, 32, 35, 38, 41, 44, 47, 50, 60, 63, 66, 69, 72, 75, 78, 81, 91, 94, 97, 100],
    routes: {
      3: '-2',
      13: '-2',
      26: '-2',
      57: '-2',
      88: '-2',
      9: '-1,-7',
      22: '-1,-10',
      53: '-1,-28',
      84: '-1,-28',
      103: '-1,-16',
      109: '-2',
      111: '-4',
      113: '-1,-3,-5,-6',
      119: '85',
      121: '-1,-3',
      129: '54',
      131: '-1,-3',
      140: '-4',
      151: '-4',
      142: '-1,-16',
      153: '-1,-37',
    },
    excludedS0: [
      4, 6, 14, 16, 19, 27, 29, 32, 35, 38, 41, 44, 47, 50, 58, 60, 63, 66, 69, 72, 75, 78, 81, 89, 91, 94, 97, 100, 107, 117, 127,
    ],
  },
  {
    cfg: 'yolov3-tiny.cfg',
    blocks: 24,
    bn: 11,
    nonBn: [15, 22],
    common: [18],
    s0: [10, 3056],
    s1: [10, 3056],
    groups: [],
    candidates: [],
    routes: { 17: '-4', 20: '-1,8' },
  },
  {
    cfg: 'yolov4-tiny.cfg',
    blocks: 38,
    bn: 19,
    nonBn: [29, 36],
    common: [2, 10, 18, 32],
    s0: [15, 2528],
    s1: [15, 2528],
    groups: [],
    candidates: [],
    routes: {
      3: '-1',
      11: '-1',
      19: '-1',
      6: '-1,-2',
      14: '-1,-2',
      22: '-1,-2',
      8: '-6,-1',
      16: '-6,-1',
      24: '-6,-1',
      31: '-4',
      34: '-1,23',
    },
  },
  {
    cfg: 'yolov4-tiny-3l.cfg',
    blocks: 45,
    bn: 21,
    nonBn: [29, 36, 43],
    common: [2, 10, 18, 32, 39],
    s0: [16, 2656],
    s1: [16, 2656],
    groups: [],
    candidates: [],
    routes: { 38: '-3', 41: '-1,15' },
  },
];

for (const f of FIXTURES) {
  test(`pruning.md appendix fixtures: ${f.cfg}`, () => {
    const net = analyseText(readCfg(f.cfg));
    const s = analyseChannelStructure(net);
    assert.equal(net.layers.length, f.blocks);
    assert.equal(s.bnConvs.length, f.bn);
    assert.deepEqual(
      net.layers.filter((l) => l.type === 'convolutional' && !l.attrs.batchNormalize).map((l) => l.index),
      f.nonBn,
    );
    assert.deepEqual(
      [...s.excluded.keys()].sort((a, b) => a - b),
      f.common,
      'excluded BN convs are exactly the common exclusions',
    );
    assert.deepEqual([s.prunable.length, gammaCount(net, s.prunable)], f.s1, 'mode-1 set');
    assert.deepEqual([s.prunableNoShortcut.length, gammaCount(net, s.prunableNoShortcut)], f.s0, 'mode-0 set');
    if (f.excludedS0)
      assert.deepEqual(
        s.bnConvs.filter((i) => !s.prunableNoShortcut.includes(i)),
        f.excludedS0,
      );
    assert.deepEqual(s.groups, f.groups);
    assert.deepEqual(
      s.groups.map((g) => g[0]),
      f.groups.map((g) => g[0]),
      'heads',
    );
    if (f.shortcutPop) {
      const pop = populationOf(s, 'shortcut');
      assert.deepEqual([pop.length, gammaCount(net, pop)], f.shortcutPop, 'shortcut_prune population');
    }
    const units = residualUnits(net);
    assert.deepEqual(
      units.units.map((u) => u.conv),
      f.candidates,
    );
    for (const u of units.units) assert.deepEqual(u.layers, [u.conv - 1, u.conv, u.conv + 1], 'unit k removes {c−1, c, c+1}');
    const routes = Object.fromEntries(
      net.layers.filter((l) => l.type === 'route').map((l) => [l.index, l.refs.map((r) => r.raw).join(',')]),
    );
    for (const [i, v] of Object.entries(f.routes)) assert.equal(routes[i], v, `route ${i}`);
  });
}

test('threshold index is int(N·p) on the double product', () => {
  assert.equal(thresholdIndex(25920, 0.8), 20736);
  assert.equal(thresholdIndex(100, 0.29), 28); // 100·0.29 = 28.999999999999996
  assert.equal(thresholdIndex(100, 0.57), 56); // 56.99999999999999
  assert.equal(thresholdIndex(32256, 0.88), Math.floor(32256 * 0.88));
});

test('yolov4-tiny: route groups slice the right half of the feeder (conv 4 reads channels 32..63 of conv 2)', () => {
  const net = analyseText(readCfg('yolov4-tiny.cfg'));
  const s = analyseChannelStructure(net);
  assert.deepEqual([...s.originLayer[3]], new Array(32).fill(2));
  assert.deepEqual(
    [...s.originChannel[3]],
    Array.from({ length: 32 }, (_, k) => 32 + k),
  );
  // conv 10 reads maxpool 9 ← route 8 = concat(conv 2, conv 7)
  assert.deepEqual([...new Set(s.originLayer[9])], [2, 7]);
  assert.match(s.excluded.get(2)!, /route\) with groups=2/);
});
