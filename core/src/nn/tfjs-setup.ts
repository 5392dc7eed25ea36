// Side effects that @tensorflow/tfjs (the union package) performs and @tensorflow/tfjs-core alone
// does not: register every op's gradient (tf.grad / optimizers fail with "gradient function not
// found" otherwise) and the chained tensor methods (x.reshape(...), x.square(), ...).
// Both files are ES modules; esbuild.mjs bundles them into cli/out/cli.js (plain Node 20 cannot
// require ESM), the way @tensorflow/tfjs's own Node bundle inlines them. Their registries are
// process-global (kept on globalThis by tfjs-core), so they serve the external tfjs-core instance.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
