// What `darknet detector train` prints, read line by line (train --engine darknet,
// docs/training.md §Training in darknet): its per-iteration lines, the weights it saves, and the
// parts of the cfg it does not know (a 2018 build given a YOLOv4-era cfg), located in the cfg.

import { parseCfg } from '../cfg/parse';

export interface DarknetIteration {
  iteration: number;
  loss: number;
  avgLoss: number;
  rate: number;
  /** NaN where darknet prints a formatted duration (hank-ai). */
  seconds: number;
  images: number;
}

// 2018: `1: 13.661523, 13.661523 avg, 0.001000 rate, 0.010705 seconds, 1 images`;
// AlexeyAB/hank-ai: ` 1: 13.66, 13.66 avg loss, 0.001000 rate, 0.01 seconds, 64 images, 1.2 hours left`.
const NUM = String.raw`([-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|-?inf))`;
const ITERATION = new RegExp(String.raw`^\s*(\d+): ${NUM}, ${NUM} avg(?: loss)?, ${NUM} rate, ${NUM} seconds, (\d+) images`, 'i');

// hank-ai (Darknet V3+): `1: loss=13.66, avg loss=13.66, rate=0.001, 10.7 milliseconds, 64 images, time remaining=…`, coloured.
const HANK = new RegExp(String.raw`^\s*(\d+): loss=${NUM}, avg loss=${NUM}, rate=${NUM}, [^,]*, (\d+) images`, 'i');
const ANSI = new RegExp(String.raw`\x1b\[[0-9;]*m`, 'g');

export function parseIterationLine(raw: string): DarknetIteration | undefined {
  const line = raw.replace(ANSI, '');
  const h = HANK.exec(line);
  if (h)
    return { iteration: Number(h[1]), loss: Number(h[2]), avgLoss: Number(h[3]), rate: Number(h[4]), seconds: NaN, images: Number(h[5]) };
  const m = ITERATION.exec(line);
  if (!m) return undefined;
  return {
    iteration: Number(m[1]),
    loss: Number(m[2]),
    avgLoss: Number(m[3]),
    rate: Number(m[4]),
    seconds: Number(m[5]),
    images: Number(m[6]),
  };
}

/** `Saving weights to X` (printed before the file is written: only the reader can say it is complete). */
export function parseSavingLine(line: string): string | undefined {
  return /^\s*Saving weights to (.+?)\s*$/.exec(line)?.[1];
}

/** Something in the cfg this darknet does not know: an unknown section, activation or key. */
export interface UnknownCfgPart {
  kind: 'layer' | 'activation' | 'key';
  /** darknet's layer index (the cfg's section index − 1). */
  layer: number;
  name: string;
}

/**
 * Follows darknet's network printout (`%5d ` before each layer, then its messages) and collects what
 * it says it does not know. darknet goes on after these messages — with a ReLU for an unknown
 * activation, or an empty layer — so the training would not be the cfg's.
 */
export class CfgProblemWatcher {
  readonly problems: UnknownCfgPart[] = [];
  private layer = -1;

  line(text: string): void {
    const idx = /^\s*(\d+) (?!\s*:)/.exec(text);
    let rest = text;
    if (idx && !ITERATION.test(text)) {
      this.layer = Number(idx[1]);
      rest = text.slice(idx[0].length);
    }
    let m: RegExpExecArray | null;
    if ((m = /Type not recognized: \[?([^\]\s]+)\]?/.exec(rest))) this.problems.push({ kind: 'layer', layer: this.layer, name: m[1] });
    else if ((m = /Couldn't find activation function (\S+?),/.exec(rest)))
      this.problems.push({ kind: 'activation', layer: this.layer, name: m[1] });
    else if ((m = /Unused field: '([^=']+?)\s*=/.exec(rest))) {
      // every key of an unknown layer is unused: the layer says it all
      if (!this.problems.some((p) => p.kind === 'layer' && p.layer === this.layer))
        this.problems.push({ kind: 'key', layer: this.layer, name: m[1].trim() });
    }
  }
}

/** `cfg:line: …` for each problem, located in the cfg's text (section index = darknet's layer + 1). */
export function locateProblems(cfgPath: string, cfgText: string, problems: readonly UnknownCfgPart[]): string[] {
  const doc = parseCfg(cfgText);
  return problems.map((p) => {
    const section = doc.sections[p.layer + 1];
    const key = p.kind === 'activation' ? 'activation' : p.kind === 'key' ? p.name : undefined;
    const option = key ? section?.options.find((o) => o.key === key) : undefined;
    const line = (option?.line ?? section?.line ?? 0) + 1;
    const where = section ? `layer ${p.layer} [${section.name}]` : `layer ${p.layer}`;
    const what =
      p.kind === 'layer'
        ? `the layer type [${p.name}] is unknown to this darknet`
        : p.kind === 'activation'
          ? `activation=${p.name} is unknown to this darknet (it would train with ReLU instead)`
          : `${p.name}= is unknown to this darknet (it would train without it)`;
    return `${cfgPath}:${line}: ${where}: ${what}`;
  });
}
