// The cfg schema: [net] here, every layer type's keys in its record (core/src/layers). It drives
// validation, hover and completion; the defaults written there are the ones analysis applies.

import { allLayerTypes } from '../layers';
import { COMMON_KEYS, flag, float, int } from '../layers/keys';
import type { KeySpec, SectionSpec } from '../layers/spec';

export type { KeySpec, KeyType, LayerSpec, SectionSpec } from '../layers/spec';
export { ACTIVATIONS, COMMON_KEYS } from '../layers/keys';

const NET: SectionSpec = {
  name: 'net',
  aliases: ['network'],
  doc: 'Network options: input size, batch, training schedule and augmentation. Must be the first section.',
  keys: {
    width: int('0', 'Network input width in pixels.', { min: 1 }),
    height: int('0', 'Network input height in pixels.', { min: 1 }),
    channels: int('0', 'Network input channels.', { min: 1 }),
    inputs: int(undefined, 'Input element count (non-image networks); default width·height·channels.'),
    batch: int('1', 'Images per training iteration.', { min: 1 }),
    subdivisions: int('1', 'Mini-batch = batch / subdivisions.', { min: 1 }),
    time_steps: int('1', 'Recurrent networks: time steps.', { min: 1 }),
    max_batches: int('0', 'Training iterations.'),
    max_epochs: int('0', 'Training epochs (alternative to max_batches).'),
    learning_rate: float('0.001', 'Base learning rate.'),
    momentum: float('0.9', 'SGD momentum.'),
    decay: float('0.0001', 'Weight decay.'),
    policy: {
      type: 'enum',
      default: 'constant',
      doc: 'Learning-rate policy.',
      values: ['constant', 'step', 'exp', 'poly', 'steps', 'sig', 'random', 'sgdr'],
    },
    steps: { type: 'intList', doc: 'Iterations at which the learning rate is multiplied by `scales` (policy=steps).' },
    scales: { type: 'floatList', doc: 'Learning-rate factors at `steps`.' },
    step: int('1', 'policy=step: step length.'),
    gamma: float('1', 'policy=step/exp/sig: factor.'),
    power: float('4', 'policy=poly: exponent.'),
    burn_in: int('0', 'Iterations of learning-rate warm-up.'),
    angle: float('0', 'Augmentation: random rotation (degrees).'),
    aspect: float('1', 'Augmentation: aspect ratio jitter.'),
    saturation: float('1', 'Augmentation: saturation.'),
    exposure: float('1', 'Augmentation: exposure.'),
    hue: float('0', 'Augmentation: hue.'),
    mosaic: flag('Augmentation: mosaic of 4 images.'),
    mixup: int('0', 'Augmentation: mixup.'),
    cutmix: flag('Augmentation: cutmix.'),
    flip: int('1', 'Augmentation: horizontal flip.'),
    blur: int('0', 'Augmentation: blur.'),
    gaussian_noise: int('0', 'Augmentation: gaussian noise.'),
    letter_box: flag('Letterbox the input image (keep aspect ratio) at detection time.'),
    mosaic_bound: flag('Augmentation: keep boxes inside mosaic bounds.'),
    adam: flag('Use the Adam optimizer.'),
    B1: float('0.9', 'Adam β1.'),
    B2: float('0.999', 'Adam β2.'),
    eps: float('1e-7', 'Adam ε.'),
    ema_alpha: float('0', 'Exponential moving average of weights.'),
    max_chart_loss: float('20', 'Upper limit of the loss chart.'),
    track: flag('Sequential tracking training.'),
    augment_speed: int('2', 'Tracking augmentation.'),
    sequential_subdivisions: int('0', 'Sequential subdivisions.'),
    init_sequential_subdivisions: int('0', 'Initial sequential subdivisions.'),
    try_fix_nan: flag('Try to fix NaN during training.'),
    loss_scale: float('1', 'Loss scale (mixed precision).'),
    dynamic_minibatch: flag('Dynamic mini-batch.'),
    optimized_memory: int('0', 'GPU memory optimisation level.'),
    workspace_size_limit_MB: float('1024', 'cuDNN workspace limit.'),
    adversarial_lr: float('0', 'Adversarial training learning rate.'),
    attention: flag('Show attention.'),
    min_crop: int(undefined, 'Classifier training: minimum crop.'),
    max_crop: int(undefined, 'Classifier training: maximum crop.'),
    center: flag('Classifier training: centre crop.'),
    contrastive: flag('Contrastive learning.'),
    contrastive_jit_flip: flag('Contrastive jitter/flip.'),
    contrastive_color: flag('Contrastive colour.'),
    unsupervised: flag('Unsupervised training.'),
    resize_step: int('32', 'Random resize step.'),
    use_cuda_graph: flag('Use CUDA graphs.'),
    seq_scales: { type: 'floatList', doc: 'Sequence scales.' },
    equidistant_point: int('0', 'Equidistant point.'),
    label_smooth_eps: float('0', 'Label smoothing.'),
    random: float('0', 'Random resize.'),
    rgb: flag('Load images as RGB.'),
    num_boxes: int('0', 'Maximum boxes.'),
    show_receptive_field: flag('Print receptive fields.'),
  },
};

const SECTIONS: readonly SectionSpec[] = [NET, ...allLayerTypes()];
const BY_HEADER = new Map<string, SectionSpec>();
for (const l of SECTIONS) for (const n of [l.name, ...l.aliases]) BY_HEADER.set(n, l);

/** The spec for a section name (canonical or alias), case-sensitive as in darknet. */
export function layerSpec(sectionName: string): SectionSpec | undefined {
  return BY_HEADER.get(sectionName);
}

export function allLayerSpecs(): readonly SectionSpec[] {
  return SECTIONS;
}

export function allSectionNames(): string[] {
  return [...BY_HEADER.keys()];
}

export function keySpec(layer: SectionSpec, key: string): KeySpec | undefined {
  return layer.keys[key] ?? (layer.name === 'net' ? undefined : COMMON_KEYS[key]);
}

export function keysOf(layer: SectionSpec): Record<string, KeySpec> {
  return layer.name === 'net' ? layer.keys : { ...layer.keys, ...COMMON_KEYS };
}

/** Levenshtein distance, for "did you mean" (characters compared case-insensitively). */
export function editDistance(a: string, b: string): number {
  const al: string[] = [],
    bl: string[] = [];
  for (let i = 0; i < a.length; i++) al.push(a[i].toLowerCase());
  for (let j = 0; j < b.length; j++) bl.push(b[j].toLowerCase());
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (al[i - 1] === bl[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    // The distance is at least the length difference: such candidates could never be accepted.
    if (Math.abs(c.length - word.length) > limit) continue;
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}
