// What `darknet-pruner runtimes install` puts into a runtimes folder: each runtime's npm packages at
// the versions package-lock.json pins (test/cli/runtimes-install.test.ts checks they agree), the
// PyPI wheel its native library comes from when it needs a build, and the build tools for that.
// See docs/runtimes.md §Installing runtimes into a folder.

export type RuntimeId = 'tfjs' | 'onnxruntime-node' | 'tfjs-node' | 'openvino-node';

export interface RuntimePin {
  id: RuntimeId;
  /** npm packages (exact versions) the folder's package.json lists for it. */
  packages: Record<string, string>;
  /** The runtimes it needs in the same folder (one tfjs-core copy for tfjs-node and us). */
  needs: RuntimeId[];
  /** The PyPI wheel a native build takes its library and headers from. */
  wheel?: string;
}

export const RUNTIME_PINS: readonly RuntimePin[] = [
  {
    id: 'tfjs',
    packages: { '@tensorflow/tfjs-core': '4.22.0', '@tensorflow/tfjs-backend-cpu': '4.22.0', '@tensorflow/tfjs-backend-wasm': '4.22.0' },
    needs: [],
  },
  {
    id: 'onnxruntime-node',
    packages: { 'onnxruntime-node': '1.30.0' },
    needs: [],
  },
  {
    id: 'tfjs-node',
    packages: { '@tensorflow/tfjs-node': '4.22.0' },
    needs: ['tfjs'],
    wheel: 'tensorflow-cpu==2.21.0',
  },
  {
    id: 'openvino-node',
    packages: { 'openvino-node': '2026.4.0' },
    needs: [],
    wheel: 'openvino==2026.4.0',
  },
];

/** The tools a native build fetches (into the cache, never into the runtimes folder). */
export const BUILD_TOOL_PINS: Record<string, string> = { 'node-gyp': '12.4.0', 'node-addon-api': '8.9.2', 'node-api-headers': '1.9.0' };

export const RUNTIME_IDS = RUNTIME_PINS.map((r) => r.id);

export function runtimePin(id: RuntimeId): RuntimePin {
  return RUNTIME_PINS.find((r) => r.id === id)!;
}
