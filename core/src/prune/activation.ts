// Darknet's activations as scalar functions (docs/network.md §Activations), used to compute the constant a
// pruned channel still emits: with γ = 0 the BN output is β, so the channel carries f(β).
// The mathematical definitions are used (darknet's CPU evaluator returns 0 for relu6/swish/mish in
// some layers; its GPU kernels and every other runtime use the definitions).

const f32 = Math.fround;
const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const tanh = (x: number) => 2 / (1 + Math.exp(-2 * x)) - 1;
const softplus = (x: number) => (x > 20 ? x : x < -20 ? Math.exp(x) : Math.log(Math.exp(x) + 1));

const ELEMENTWISE: Record<string, (x: number) => number> = {
  linear: (x) => x,
  leaky: (x) => (x > 0 ? x : 0.1 * x),
  revleaky: (x) => (x > 0 ? x : 0.1 * x),
  relu: (x) => (x > 0 ? x : 0),
  relu6: (x) => Math.min(Math.max(x, 0), 6),
  logistic,
  loggy: (x) => 2 / (1 + Math.exp(-x)) - 1,
  tanh,
  elu: (x) => (x >= 0 ? x : Math.exp(x) - 1),
  selu: (x) => (x >= 0 ? 1.0507 * x : 1.0507 * 1.6732 * (Math.exp(x) - 1)),
  gelu: (x) => 0.5 * x * (1 + tanh(0.797885 * x + 0.035677 * x * x * x)),
  relie: (x) => (x > 0 ? x : 0.01 * x),
  ramp: (x) => (x > 0 ? x : 0) + 0.1 * x,
  plse: (x) => (x < -4 ? 0.01 * (x + 4) : x > 4 ? 0.01 * (x - 4) + 1 : 0.125 * x + 0.5),
  hardtan: (x) => Math.min(Math.max(x, -1), 1),
  lhtan: (x) => (x < 0 ? 0.001 * x : x > 1 ? 0.001 * (x - 1) + 1 : x),
  stair: (x) => {
    const n = Math.floor(x);
    return n % 2 === 0 ? Math.floor(x / 2) : x - n + Math.floor(x / 2);
  },
  swish: (x) => x * logistic(x),
  mish: (x) => x * tanh(softplus(x)),
  hard_mish: (x) => (x > 0 ? x : x > -2 ? (x * x) / 2 + x : 0),
};

/** Activations that mix channels: a pruned channel's value is not a function of its own β. */
export const CROSS_CHANNEL_ACTIVATIONS = new Set(['normalize_channels', 'normalize_channels_softmax', 'normalize_channels_softmax_maxval']);

/** Darknet maps an unknown activation name to relu. */
export function activationFn(name: string | undefined): (x: number) => number {
  return ELEMENTWISE[name ?? 'linear'] ?? ELEMENTWISE.relu;
}

export const isLinear = (name: string | undefined): boolean => (name ?? 'linear') === 'linear';

export function activate(name: string | undefined, x: number): number {
  return f32(activationFn(name)(x));
}
