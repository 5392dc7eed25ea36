// The Darknet layer schema (AlexeyAB/darknet parser.c): every section type with its aliases, and
// every key with its type, default and meaning. It drives validation, hover and completion.

export type KeyType = 'int' | 'float' | 'string' | 'enum' | 'intList' | 'floatList' | 'refs' | 'ref' | 'path';

export interface KeySpec {
  type: KeyType;
  /** Default as darknet applies it, in display form; undefined = required or no default. */
  default?: string;
  doc: string;
  values?: readonly string[];
  min?: number;
  max?: number;
  required?: boolean;
}

export interface LayerSpec {
  /** Canonical name (the section name without brackets). */
  name: string;
  aliases: readonly string[];
  doc: string;
  keys: Record<string, KeySpec>;
  /** Recurrent and other exotic layers: keys are not checked, shapes are not computed. */
  unsupported?: boolean;
}

export const ACTIVATIONS = [
  'logistic', 'loggy', 'relu', 'elu', 'selu', 'gelu', 'relie', 'ramp', 'linear', 'tanh', 'plse', 'leaky', 'stair',
  'hardtan', 'lhtan', 'swish', 'mish', 'hard_mish', 'normalize_channels', 'normalize_channels_softmax',
  'normalize_channels_softmax_maxval', 'relu6', 'revleaky',
] as const;

const int = (def: string | undefined, doc: string, extra: Partial<KeySpec> = {}): KeySpec => ({ type: 'int', default: def, doc, ...extra });
const float = (def: string | undefined, doc: string, extra: Partial<KeySpec> = {}): KeySpec => ({ type: 'float', default: def, doc, ...extra });
const flag = (doc: string): KeySpec => ({ type: 'int', default: '0', doc, min: 0, max: 1 });
const act = (def: string, doc = 'Activation function applied to the output.'): KeySpec => ({ type: 'enum', default: def, doc, values: ACTIVATIONS });
const refs = (doc: string, required = true): KeySpec => ({ type: 'refs', doc, required });

/** Keys darknet's generic layer loop reads for every layer. */
export const COMMON_KEYS: Record<string, KeySpec> = {
  clip: float('0', 'Clip the layer output to [-clip, clip] during training (0 = off).'),
  onlyforward: flag('Training only: skip the backward pass of this layer.'),
  dont_update: flag('Training only: freeze this layer\'s weights.'),
  burnin_update: flag('Training only: update this layer only during burn-in.'),
  stopbackward: int('0', 'Training only: stop back-propagation at this layer (freezes everything before it); values > 1 apply for that many iterations.', { min: 0 }),
  train_only_bn: flag('Training only: train only the batch-norm parameters of the layers before this one.'),
  learning_rate: float('1', 'Per-layer learning-rate scale.'),
  dontload: flag('When 1, this layer is skipped when reading .weights: it consumes no bytes.'),
  dontloadscales: flag('When 1, batch-norm γ/mean/variance are not read from .weights.'),
  dontsave: flag('When 1, this layer is not written when saving .weights.'),
};

const YOLO_COMMON: Record<string, KeySpec> = {
  classes: int('20', 'Number of object classes.', { min: 1 }),
  num: int('1', 'Total number of anchors listed in `anchors`.', { min: 1 }),
  mask: { type: 'intList', doc: 'Indices of the anchors this head uses (default: all of 0..num-1). Each must be < num.' },
  anchors: { type: 'floatList', doc: 'Anchor sizes `w0,h0, w1,h1, …` in network-input pixels; 2·num values.' },
  max: int('200', 'Training: maximum number of ground-truth boxes per image.'),
  jitter: float('0.2', 'Training: random crop/resize jitter.'),
  resize: float('1', 'Training: random resize factor.'),
  ignore_thresh: float('0.5', 'Training: IoU above which a prediction is not penalised as background.'),
  truth_thresh: float('1', 'Training: IoU above which a prediction is also trained as the truth.'),
  iou_thresh: float('1', 'Training: IoU threshold for assigning extra anchors to a truth.'),
  random: float('0', 'Training: random input resizing every 10 batches.'),
  iou_loss: { type: 'enum', default: 'mse', doc: 'Box regression loss. Any other string selects plain IoU.', values: ['mse', 'giou', 'diou', 'ciou', 'iou'] },
  iou_normalizer: float('0.75', 'Training: weight of the IoU loss.'),
  obj_normalizer: float('1', 'Training: weight of the objectness loss.'),
  cls_normalizer: float('1', 'Training: weight of the class loss.'),
  delta_normalizer: float('1', 'Training: weight of the delta.'),
  iou_thresh_kind: { type: 'enum', default: 'iou', doc: 'IoU kind for iou_thresh.', values: ['iou', 'giou', 'diou', 'ciou'] },
  beta_nms: float('0.6', 'Exponent of the DIoU term in diounms.'),
  nms_kind: { type: 'enum', default: 'default', doc: 'NMS kind used for the whole network (the last head decides).', values: ['default', 'greedynms', 'diounms'] },
  scale_x_y: float('1', 'Grid sensitivity: x ← x·s − (s−1)/2 for the box centre.'),
  focal_loss: flag('Training: focal loss for classes.'),
  label_smooth_eps: float('0', 'Training: label smoothing.'),
  map: { type: 'path', doc: 'File that remaps class ids.' },
};

const LAYERS: LayerSpec[] = [
  {
    name: 'net', aliases: ['network'], doc: 'Network options: input size, batch, training schedule and augmentation. Must be the first section.',
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
      policy: { type: 'enum', default: 'constant', doc: 'Learning-rate policy.', values: ['constant', 'step', 'exp', 'poly', 'steps', 'sig', 'random', 'sgdr'] },
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
      B1: float('0.9', 'Adam β1.'), B2: float('0.999', 'Adam β2.'), eps: float('1e-7', 'Adam ε.'),
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
  },
  {
    name: 'convolutional', aliases: ['conv'], doc: 'Convolution, optionally followed by batch normalisation, then an activation.',
    keys: {
      filters: int('1', 'Number of output channels.', { min: 1 }),
      size: int('1', 'Square kernel size.', { min: 1 }),
      stride: int('1', 'Stride for any axis without a valid stride_x / stride_y.', { min: 1 }),
      stride_x: int('-1', 'Horizontal stride (≥ 1 overrides `stride`).'),
      stride_y: int('-1', 'Vertical stride (≥ 1 overrides `stride`).'),
      pad: flag('If non-zero, padding = size/2 (overrides `padding`).'),
      padding: int('0', 'Explicit padding per side, used when pad=0.', { min: 0 }),
      groups: int('1', 'Grouped convolution: number of groups (depthwise when groups = channels).', { min: 1 }),
      dilation: int('1', 'Dilation (forced to 1 when size=1).', { min: 1 }),
      activation: act('logistic', 'Activation after the convolution (darknet\'s default is logistic, not linear).'),
      batch_normalize: flag('Batch normalisation after the convolution (no conv bias then; BN β plays its role).'),
      cbn: flag('Cross-iteration batch norm (also enables batch_normalize).'),
      share_index: { type: 'ref', doc: 'Reuse the weights of another convolutional layer; this layer then reads nothing from .weights.' },
      antialiasing: int('0', 'Run at stride 1 and blur-downsample afterwards (1: 3×3 blur, 2: 2×2 box).', { min: 0, max: 2 }),
      binary: flag('Binary weights.'),
      xnor: flag('XNOR convolution (BFLOPs / 32).'),
      bin_output: flag('Binary output.'),
      flipped: flag('Weights stored transposed in .weights.'),
      dot: float('0', 'Training: dot-product regularisation.'),
      sway: flag('Sway (rotation-invariant) kernels.'),
      rotate: flag('Rotation-invariant kernels.'),
      stretch: flag('Stretch-invariant kernels.'),
      stretch_sway: flag('Stretch and sway kernels.'),
      angle: float('15', 'Angle for sway/rotate kernels.'),
      grad_centr: flag('Gradient centralisation.'),
      reverse: flag('Reverse (for sway kernels).'),
      coordconv: flag('Add coordinate channels.'),
      assisted_excitation: float('0', 'Training: assisted excitation.'),
      stream: int('-1', 'GPU stream.'),
      wait_stream: int('-1', 'GPU stream to wait for.'),
      deform: flag('Deformable kernels.'),
    },
  },
  {
    name: 'maxpool', aliases: ['max'], doc: 'Max pooling. Positions outside the input are skipped (padding acts as −∞).',
    keys: {
      stride: int('1', 'Stride.', { min: 1 }),
      stride_x: int(undefined, 'Horizontal stride (default: stride).', { min: 1 }),
      stride_y: int(undefined, 'Vertical stride (default: stride).', { min: 1 }),
      size: int(undefined, 'Window size (default: stride).', { min: 1 }),
      padding: int(undefined, 'Total padding (default size−1); the window starts at −padding/2.', { min: 0 }),
      maxpool_depth: flag('Pool across channels instead of space.'),
      out_channels: int('1', 'Output channels with maxpool_depth=1.', { min: 1 }),
      antialiasing: int('0', 'Blur after pooling at stride 1.', { min: 0, max: 2 }),
      maxpool_zero_nonmax: flag('Training only.'),
      stream: int('-1', 'GPU stream.'), wait_stream: int('-1', 'GPU stream to wait for.'),
    },
  },
  {
    name: 'local_avgpool', aliases: ['local_avg'], doc: 'Windowed average pooling over the valid (in-bounds) positions.',
    keys: {
      stride: int('1', 'Stride.', { min: 1 }),
      stride_x: int(undefined, 'Horizontal stride (default: stride).', { min: 1 }),
      stride_y: int(undefined, 'Vertical stride (default: stride).', { min: 1 }),
      size: int(undefined, 'Window size (default: stride).', { min: 1 }),
      padding: int(undefined, 'Total padding (default size−1).', { min: 0 }),
    },
  },
  { name: 'avgpool', aliases: ['avg'], doc: 'Global average pooling: W×H×C → 1×1×C.', keys: {} },
  {
    name: 'route', aliases: [], doc: 'Concatenates the outputs of the listed layers along channels (or takes one channel group of them).',
    keys: {
      layers: refs('Layers to concatenate: negative = relative to this layer, otherwise absolute index.'),
      groups: int('1', 'Split each input into this many channel groups…', { min: 1 }),
      group_id: int('0', '…and take this group.', { min: 0 }),
      stream: int('-1', 'GPU stream.'), wait_stream: int('-1', 'GPU stream to wait for.'),
    },
  },
  {
    name: 'shortcut', aliases: [], doc: 'Residual add of the previous layer and the `from` layers.',
    keys: {
      from: refs('Layers added to the previous layer\'s output.'),
      activation: act('linear', 'Activation after the sum.'),
      weights_type: { type: 'enum', default: 'none', doc: 'Learned weights for the sum.', values: ['none', 'per_feature', 'per_layer', 'per_channel'] },
      weights_normalization: { type: 'enum', default: 'none', doc: 'Normalisation of the sum weights.', values: ['none', 'relu', 'avg_relu', 'softmax'] },
      stream: int('-1', 'GPU stream.'), wait_stream: int('-1', 'GPU stream to wait for.'),
    },
  },
  {
    name: 'upsample', aliases: [], doc: 'Nearest-neighbour upsampling by `stride` (negative stride: sum-downsampling).',
    keys: { stride: int('2', 'Upsampling factor; negative = downsample.'), scale: float('1', 'Output multiplier.') },
  },
  {
    name: 'yolo', aliases: [], doc: 'YOLOv3/v4 detection head. The conv before it needs filters = |mask|·(classes+5).',
    keys: {
      ...YOLO_COMMON,
      new_coords: flag('Scaled-YOLOv4 decoding: no sigmoid in the head, wh = 4·t²·anchor.'),
      objectness_smooth: flag('Training: objectness smoothing.'),
      max_delta: float(undefined, 'Training: clip deltas.'),
      counters_per_class: { type: 'intList', doc: 'Training: per-class counts for balancing.' },
      show_details: int('1', 'Print training details.'),
      track_history_size: int('5', 'Tracking history.'),
      sim_thresh: float('0.8', 'Tracking similarity threshold.'),
      dets_for_track: int('1', 'Tracking.'),
      dets_for_show: int('1', 'Tracking.'),
      track_ciou_norm: float('0.01', 'Tracking.'),
      embedding_layer: { type: 'ref', doc: 'Conv layer carrying per-anchor embeddings.' },
    },
  },
  {
    name: 'Gaussian_yolo', aliases: [], doc: 'Gaussian YOLOv3 head (box uncertainty). The conv before it needs filters = |mask|·(classes+9).',
    keys: {
      ...YOLO_COMMON,
      uc_normalizer: float('1', 'Training: weight of the uncertainty loss.'),
      yolo_point: { type: 'enum', default: 'center', doc: 'Box reference point.', values: ['center', 'left_top', 'right_bottom'] },
      nms_kind: { type: 'enum', default: 'default', doc: 'NMS kind.', values: ['default', 'greedynms', 'diounms', 'cornersnms'] },
    },
  },
  {
    name: 'region', aliases: [], doc: 'YOLOv2 detection head. The conv before it needs filters = num·(classes+coords+1).',
    keys: {
      coords: int('4', 'Box coordinates per anchor.'), classes: int('20', 'Number of classes.', { min: 1 }),
      num: int('1', 'Number of anchors.', { min: 1 }), softmax: flag('Softmax over classes.'),
      anchors: { type: 'floatList', doc: 'Anchors in grid cells, 2·num values.' },
      bias_match: flag('Training.'), rescore: flag('Training.'), jitter: float('0.2', 'Training.'),
      thresh: float('0.5', 'Training.'), object_scale: float('1', 'Training.'), noobject_scale: float('1', 'Training.'),
      class_scale: float('1', 'Training.'), coord_scale: float('1', 'Training.'), tree: { type: 'path', doc: 'Hierarchy file.' },
      map: { type: 'path', doc: 'Class map.' }, absolute: flag('Training.'), random: flag('Training.'),
      log: flag('Training.'), sqrt: flag('Training.'), focal_loss: flag('Training.'), max: int('30', 'Max boxes.'),
    },
  },
  {
    name: 'detection', aliases: [], doc: 'YOLOv1 detection head.',
    keys: {
      coords: int('1', 'Coordinates.'), classes: int('1', 'Classes.'), rescore: flag('Training.'), num: int('1', 'Boxes per cell.'),
      side: int('7', 'Grid side.'), softmax: flag('Softmax.'), sqrt: flag('Training.'), jitter: float('0.2', 'Training.'),
      object_scale: float('1', 'Training.'), noobject_scale: float('1', 'Training.'), class_scale: float('1', 'Training.'),
      coord_scale: float('1', 'Training.'), forced: flag('Training.'), random: flag('Training.'), reorg: flag('Training.'),
    },
  },
  {
    name: 'reorg3d', aliases: [], doc: 'Space-to-depth: W×H×C → W/s × H/s × C·s².',
    keys: { stride: int('1', 'Block size.', { min: 1 }), reverse: flag('Depth-to-space (unsupported: darknet\'s CPU code is wrong).') },
  },
  {
    name: 'reorg', aliases: [], doc: 'Legacy YOLOv2 reorg ("reorg_old"): a fixed permutation, output W/s × H/s × C·s².',
    keys: { stride: int('1', 'Block size.', { min: 1 }), reverse: flag('Reverse.'), flatten: flag('Flatten.'), extra: int('0', 'Extra.') },
  },
  {
    name: 'sam', aliases: [], doc: 'Spatial attention: out = act(in · from), element-wise.',
    keys: { from: refs('Layer multiplied by the input.'), activation: act('linear') },
  },
  {
    name: 'scale_channels', aliases: [], doc: 'Channel attention: scales each channel of `from` by the input (1×1×C).',
    keys: { from: refs('Layer whose channels are scaled.'), activation: act('linear'), scale_wh: flag('Scale per pixel (input W×H×1) instead of per channel.') },
  },
  {
    name: 'dropout', aliases: [], doc: 'Dropout / DropBlock; identity at inference.',
    keys: {
      probability: float('0.2', 'Drop probability.', { min: 0, max: 1 }), dropblock: flag('Use DropBlock.'),
      dropblock_size_rel: float('0', 'DropBlock size relative to the feature map.'), dropblock_size_abs: int('0', 'DropBlock size in pixels.'),
    },
  },
  {
    name: 'softmax', aliases: ['soft'], doc: 'Softmax over groups of the input.',
    keys: { groups: int('1', 'Number of softmax groups.', { min: 1 }), temperature: float('1', 'Temperature.'), tree: { type: 'path', doc: 'Hierarchy file.' }, spatial: flag('Spatial softmax.'), noloss: flag('No loss.') },
  },
  {
    name: 'connected', aliases: ['conn'], doc: 'Fully connected layer.',
    keys: { output: int('1', 'Number of outputs.', { min: 1 }), activation: act('logistic'), batch_normalize: flag('Batch normalisation.') },
  },
  { name: 'batchnorm', aliases: [], doc: 'Stand-alone batch normalisation.', keys: {} },
  { name: 'activation', aliases: [], doc: 'Stand-alone activation.', keys: { activation: act('linear') } },
  {
    name: 'cost', aliases: [], doc: 'Training cost (identity at inference).',
    keys: { type: { type: 'enum', default: 'sse', doc: 'Cost type.', values: ['sse', 'masked', 'smooth', 'L1', 'seg', 'wgan'] }, scale: float('1', 'Scale.'), ratio: float('0', 'Ratio.'), noobject_scale: float('1', 'No-object scale.'), thresh: float('0', 'Threshold.') },
  },
  {
    name: 'crop', aliases: [], doc: 'Training crop.',
    keys: {
      crop_height: int('1', 'Crop height.'), crop_width: int('1', 'Crop width.'), flip: flag('Flip.'), angle: float('0', 'Angle.'),
      saturation: float('1', 'Saturation.'), exposure: float('1', 'Exposure.'), noadjust: flag('No adjust.'), shift: float('0', 'Shift.'),
    },
  },
  {
    name: 'lrn', aliases: ['normalization'], doc: 'Local response normalisation.',
    keys: { size: int('5', 'Window.'), alpha: float('0.0001', 'α.'), beta: float('0.75', 'β.'), kappa: float('1', 'κ.') },
  },
  {
    name: 'local', aliases: [], doc: 'Locally connected layer (unshared weights).',
    keys: { filters: int('1', 'Filters.', { min: 1 }), size: int('1', 'Kernel size.', { min: 1 }), stride: int('1', 'Stride.', { min: 1 }), pad: flag('Pad.'), activation: act('logistic') },
  },
  {
    name: 'implicit', aliases: [], doc: 'Learned constant tensor (YOLOR): output 1 × atoms × filters.',
    keys: { filters: int('128', 'Channels.', { min: 1 }), atoms: int('1', 'Height.', { min: 1 }), mean: float('0', 'Init mean.'), std: float('0.2', 'Init std.') },
  },
  { name: 'empty', aliases: ['silence'], doc: 'Identity layer.', keys: {} },
  {
    name: 'contrastive', aliases: [], doc: 'Contrastive-loss head (no-op at inference).',
    keys: {
      classes: int('1000', 'Classes.'), yolo_layer: { type: 'ref', doc: 'Yolo layer (0 = none).' }, temperature: float('1', 'Temperature.'),
      cls_normalizer: float('1', 'Normaliser.'), max_delta: float(undefined, 'Max delta.'), contrastive_neg_max: int('3', 'Negatives.'),
    },
  },
  ...['rnn', 'gru', 'lstm', 'crnn', 'conv_lstm', 'history'].map((name): LayerSpec => ({
    name, aliases: [], doc: 'Recurrent layer (not analysed by Darknet Pruner).', keys: {}, unsupported: true,
  })),
];

const BY_HEADER = new Map<string, LayerSpec>();
for (const l of LAYERS) for (const n of [l.name, ...l.aliases]) BY_HEADER.set(n, l);

/** The spec for a section name (canonical or alias), case-sensitive as in darknet. */
export function layerSpec(sectionName: string): LayerSpec | undefined {
  return BY_HEADER.get(sectionName);
}

export function allLayerSpecs(): readonly LayerSpec[] {
  return LAYERS;
}

export function allSectionNames(): string[] {
  return [...BY_HEADER.keys()];
}

export function keySpec(layer: LayerSpec, key: string): KeySpec | undefined {
  return layer.keys[key] ?? (layer.name === 'net' ? undefined : COMMON_KEYS[key]);
}

export function keysOf(layer: LayerSpec): Record<string, KeySpec> {
  return layer.name === 'net' ? layer.keys : { ...layer.keys, ...COMMON_KEYS };
}

/** Levenshtein distance, for "did you mean" (characters compared case-insensitively). */
export function editDistance(a: string, b: string): number {
  const al: string[] = [], bl: string[] = [];
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
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}
