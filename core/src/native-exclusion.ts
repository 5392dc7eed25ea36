// Native TensorFlow (tfjs-node) and OpenVINO must never share a process: both carry their own LLVM,
// absl and TBB symbols (docs/runtimes.md §One native runtime per process). The check looks at what is
// mapped into this process (Linux: /proc/self/maps), so it also sees a library loaded by another
// worker thread of the same process.

import { readFileSync } from 'node:fs';

const LIBRARIES = { tensorflow: /libtensorflow[\w.-]*\.so/, openvino: /libopenvino[\w.-]*\.so/ } as const;
export type NativeRuntime = keyof typeof LIBRARIES;

/** Whether `runtime`'s shared library is loaded in this process (false where that cannot be read). */
export function nativeRuntimeLoaded(runtime: NativeRuntime): boolean {
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return false;
  }
  return LIBRARIES[runtime].test(maps);
}

/** The reason `wanted` must not be loaded here, or undefined when it may. */
export function nativeConflict(wanted: NativeRuntime): string | undefined {
  const other: NativeRuntime = wanted === 'openvino' ? 'tensorflow' : 'openvino';
  if (!nativeRuntimeLoaded(other)) return undefined;
  const pkg = other === 'openvino' ? 'openvino-node' : '@tensorflow/tfjs-node';
  return `${pkg} is already loaded in this process; ${wanted === 'openvino' ? 'OpenVINO' : 'native TensorFlow'} runs in a process of its own (their native libraries clash)`;
}
