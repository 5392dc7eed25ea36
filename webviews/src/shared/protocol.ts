// Messages between the extension host and the webview panels: one discriminated union each way,
// shared by both sides. Webviews receive data by message only.

import type { GraphBox, GraphEdge, GraphNode, GraphPoint, NetworkGraph } from '../../../core/src/protocol/graph';
import type { Candidate, Selection } from '../../../core/src/nn/select-detections';

export type { GraphBox, GraphEdge, GraphNode, GraphPoint, NetworkGraph };

export interface GammaLayerView {
  index: number;
  channels: number;
  min: number;
  mean: number;
  max: number;
}

export interface GammaView {
  title: string;
  layers: GammaLayerView[];
  /** Global ascending |γ| over the prunable set (what the threshold is taken from). */
  sorted: number[];
  /** Per-layer |γ| values (for the per-layer histogram). */
  perLayer: Record<number, number[]>;
  percent: number;
  layerKeep: number;
}

export interface PruneFigures {
  percent: number;
  threshold: number;
  channels: { kept: number; total: number };
  params: { before: number; after: number };
  bflops: { before: number; after: number };
  weightsBytes: { before: number; after: number };
  floored: number[];
  emptied: number[];
  elapsedMs: number;
}

export interface ReportLayerView {
  index: number;
  type: string;
  before: number;
  after: number;
}

export interface ReportView {
  title: string;
  method: string;
  parameters: Record<string, string | number | boolean | null>;
  layers: ReportLayerView[];
  totals: {
    params: { before: number; after: number };
    bflops: { before: number; after: number };
    weightsBytes: { before: number; after: number };
  };
  prunedCfg: string;
  originalCfg: string;
}

export interface SweepPointView {
  percent: number;
  params: number;
  bflops: number;
  weightsBytes: number;
  emptied: number;
  floored: number;
  mAP?: number;
}
export interface SweepView {
  title: string;
  points: SweepPointView[];
  suggested?: number;
  rule: string;
}

/** The live γ-threshold overlay on the graph: fraction of channels kept per layer at a percent. */
export interface GammaOverlay {
  percent: number;
  threshold: number;
  kept: Record<number, number>;
}

/** Tukey box of a latency sample (ms): quartiles, whiskers at the furthest samples within 1.5 IQR, the rest outliers. */
export interface BoxStats {
  n: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  whiskerLow: number;
  whiskerHigh: number;
  outliers: number[];
}

export interface BenchModelView {
  label: string;
  kind: string;
  input: string;
  bflops: number | null;
  params: number | null;
  /** As read back from the compiled model. */
  settings: { precision: string; streams: string; threads: string; requests: string };
  fps: number;
  /** fps × frames per inference (the mosaic's four streams). */
  framesPerSecond: number;
  box: BoxStats;
  p90Ms: number;
  p99Ms: number;
  /** To the first model (the baseline): FPS, BFLOPs and parameters. */
  ratio: { fps: number; bflops: number | null; params: number | null };
  /** Slowest layers by OpenVINO's profiling counters, when the run has them. */
  slowest?: { layer: number; type: string; ms: number; share: number }[];
}

/** One saved run, as the history list shows it. */
export interface BenchRunSummary {
  id: string;
  when: string;
  runtime: string;
  hint: string;
  models: string[];
  fpsRatio: number | null;
}

export interface BenchView {
  /** The saved run shown (its file name in the history folder). */
  id: string;
  when: string;
  runtime: string;
  device: string;
  hint: string;
  precisionAsked: string | null;
  openvino: string | null;
  machine: string;
  framesPerInference: number;
  models: BenchModelView[];
  history: BenchRunSummary[];
  /** Where the runs are saved (for the panel's note). */
  historyDir: string;
}

/** A saved run's file name: what the bench panel may ask the host to show. */
export const BENCH_RUN_ID = /^[0-9A-Za-z][0-9A-Za-z._-]{0,99}\.json$/;

/** One epoch of a training run (metrics.jsonl); the loss parts are absent in runs from before they were recorded. */
export interface TrainingEpochView {
  epoch: number;
  iteration: number;
  loss: number;
  lossBox: number | null;
  lossObj: number | null;
  lossCls: number | null;
  precision: number;
  recall: number;
  map50: number;
  lr: number;
  /** The sparsity s the epoch trained with (--sparsity, fixed or auto); null without. */
  sparsity?: number | null;
  /** --sparsity auto: why it chose the s of the next epoch. */
  sparsityReason?: string | null;
}

/** One optimiser step, live from the job's metric events. */
export interface TrainingStepView {
  step: number;
  loss: number;
  lossBox?: number;
  lossObj?: number;
  lossCls?: number;
  lr?: number;
}

/** The |γ| distribution after one epoch (gamma.jsonl), on the run's common bins (`TrainingView.gammaEdges`). */
export interface TrainingGammaView {
  epoch: number;
  channels: number;
  meanAbs: number;
  /** Fraction of the channels per common bin. */
  fractions: number[];
  /** Fraction with |γ| < t for each of `TrainingView.thresholds`; `estimated` when read off the histogram. */
  below: number[];
  estimated: boolean;
  /** The smallest global percent that empties a layer (where the sweep's suggested point sits); null when the run did not record it. */
  emptyingPercent: number | null;
}

export type TrainingStatus = 'running' | 'stopping' | 'stopped' | 'finished' | 'failed' | 'empty';

export interface TrainingView {
  title: string;
  runDir: string;
  kind: 'train' | 'sparsity' | 'finetune';
  status: TrainingStatus;
  /** What the status line says besides the status (an error, the cancel's effect). */
  note?: string;
  /** Epochs asked for (command.txt), and done (lines of metrics.jsonl). */
  epochsTotal: number | null;
  epochs: TrainingEpochView[];
  steps: TrainingStepView[];
  thresholds: number[];
  gammaEdges: number[];
  gamma: TrainingGammaView[];
  /** The first epoch from which the suggested prune point stays within one sweep step (0.01) to the last epoch; null before it has settled. */
  settledEpoch: number | null;
  /** Resume is possible (a checkpoint exists and no job is running for the run). */
  canResume: boolean;
  /** The run's cfg and latest weights, when both are found (for Show γ Histogram / Pruning Sweep…). */
  latest?: { cfg: string; weights: string };
}

/** One image of a detection run: what the CLI sent for it, and its webview URI. */
export interface DetectImageView {
  path: string;
  src: string;
  width: number;
  height: number;
  ms: number;
  /** Every decoded box above the run's floor, before NMS. */
  candidates: Candidate[];
}

/** A `detect` run; the panel selects from the candidates with core's selectDetections. */
export interface DetectView {
  title: string;
  runtime: string;
  backend: string;
  classes: number;
  names: string[] | null;
  /** The floor the candidates were decoded above: the lowest score the slider offers. */
  floor: number;
  /** The CLI's defaults: --thresh 0.25, the cfg's NMS kind, --nms 0.45, its beta_nms. */
  defaults: Selection;
  images: DetectImageView[];
}

/** What a panel shows (file paths), kept in the webview state so the host can revive it after a reload. */
export type PanelContext = Record<string, string>;

export type HostToView =
  | { type: 'gamma'; view: GammaView; context: PanelContext }
  | { type: 'figures'; figures: PruneFigures }
  | { type: 'report'; view: ReportView; context: PanelContext }
  | { type: 'sweep'; view: SweepView; context: PanelContext }
  | { type: 'graph'; view: NetworkGraph; context: PanelContext }
  /** The layer under the editor's cursor (null: outside any layer). */
  | { type: 'cursor'; index: number | null }
  | { type: 'gammaOverlay'; overlay: GammaOverlay | null }
  | { type: 'detect'; view: DetectView; context: PanelContext }
  | { type: 'training'; view: TrainingView; context: PanelContext }
  /** Live steps of the running job, appended to the view's. */
  | { type: 'trainingSteps'; steps: TrainingStepView[] }
  | { type: 'bench'; view: BenchView; context: PanelContext }
  | { type: 'error'; message: string };

export type ViewToHost =
  | { type: 'ready' }
  | { type: 'percent'; percent: number; layerKeep: number }
  | { type: 'prune'; percent: number; layerKeep: number }
  | { type: 'open'; target: 'prunedCfg' | 'originalCfg' }
  | { type: 'compare' }
  /** Show this saved benchmark run. */
  | { type: 'benchRun'; id: string }
  /** Show this layer's section in the editor. */
  | { type: 'reveal'; index: number }
  | { type: 'training'; action: TrainingAction };

export const TRAINING_ACTIONS = ['stop', 'resume', 'showGamma', 'sweep', 'openFolder'] as const;
export type TrainingAction = (typeof TRAINING_ACTIONS)[number];

/** Validates what a webview posts before the host acts on it. */
export function parseViewMessage(m: unknown): ViewToHost | undefined {
  if (!m || typeof m !== 'object') return undefined;
  const v = m as Record<string, unknown>;
  const num = (x: unknown, lo: number, hi: number) => typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi;
  switch (v.type) {
    case 'ready':
    case 'compare':
      return { type: v.type };
    case 'percent':
    case 'prune':
      return num(v.percent, 0, 0.999) && num(v.layerKeep, 0, 1)
        ? { type: v.type, percent: v.percent as number, layerKeep: v.layerKeep as number }
        : undefined;
    case 'benchRun':
      return typeof v.id === 'string' && BENCH_RUN_ID.test(v.id) ? { type: 'benchRun', id: v.id } : undefined;
    case 'reveal':
      return Number.isInteger(v.index) && (v.index as number) >= 0 ? { type: 'reveal', index: v.index as number } : undefined;
    case 'training':
      return (TRAINING_ACTIONS as readonly unknown[]).includes(v.action)
        ? { type: 'training', action: v.action as TrainingAction }
        : undefined;
    case 'open':
      return v.target === 'prunedCfg' || v.target === 'originalCfg' ? { type: 'open', target: v.target } : undefined;
    default:
      return undefined;
  }
}
