// The part of openvino-node's API the product uses, as structural types, and its lazy loader. The
// same code runs on the official addon and on ours (native/openvino, scripts/setup-openvino.sh);
// test/openvino/official-typings.test.ts checks that openvino-node's own typings satisfy these.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { nativeConflict } from '../native-exclusion';
import { UserError } from '../errors';

const req = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'));

export type OvAny = string | number | boolean;
export type OvConfig = Record<string, OvAny>;

export type OvTypedArray =
  | Float32Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;
/** Only ever made by the addon (`new ov.Tensor`); inputs are declared as openvino-node declares them. */
export interface OvTensor {
  data: OvTypedArray;
  getShape(): number[];
}
export type OvInputs = { [inputName: string]: OvTensor } | OvTensor[];
export interface OvPort {
  anyName: string;
  getAnyName(): string;
  getPartialShape(): { toString(): string; isStatic(): boolean };
}
export interface OvModel {
  inputs: OvPort[];
  outputs: OvPort[];
  reshape(partialShape: string): OvModel;
  getName(): string;
}
export interface OvInferRequest {
  infer(inputData: { [inputName: string]: OvTensor | OvTypedArray }): { [outputName: string]: OvTensor };
  inferAsync(inputData: OvInputs): Promise<{ [outputName: string]: OvTensor }>;
  getTensor(name: string): OvTensor;
}
export interface OvCompiledModel {
  inputs: OvPort[];
  outputs: OvPort[];
  getProperty(propertyName: string): OvAny;
  createInferRequest(): OvInferRequest;
}
export interface OvAsyncInferQueue {
  setCallback(callback: (error: null | Error, inferRequest: OvInferRequest, userData: object) => void): void;
  startAsync(inputData: OvInputs, userData?: object): Promise<object>;
  release(): void;
}
export interface OvCore {
  readModelSync(modelPath: string, weightsPath?: string): OvModel;
  readModelSync(modelBuffer: Uint8Array, weightsBuffer?: Uint8Array): OvModel;
  compileModelSync(model: OvModel, deviceName: string, config?: OvConfig): OvCompiledModel;
  compileModel(model: OvModel, deviceName: string, config?: OvConfig): Promise<OvCompiledModel>;
  getAvailableDevices(): string[];
  getProperty(deviceName: string, propertyName: string): OvAny;
  setProperty(deviceName: string, properties: OvConfig): void;
}
export interface OvAddon {
  Core: new () => OvCore;
  Tensor: new (type: 'f32', shape: number[], tensorData: Float32Array) => OvTensor;
  /** Takes openvino-node's full CompiledModel type (constructor parameters are checked strictly): use createAsyncInferQueue. */
  AsyncInferQueue: new (compiledModel: never, jobs?: number) => OvAsyncInferQueue;
  saveModelSync(model: OvModel, path: string, compressToFp16?: boolean): void;
  getOpenvinoVersion(): { buildNumber: string; description: string };
}

export class OpenvinoUnavailableError extends UserError {}

export const ENABLE_HINT = 'npm run setup:openvino';

let loaded: { ov: OvAddon; build: 'official' | 'ours' } | undefined;

/** openvino-node's addon; which build it is (the official download, or ours from native/openvino). */
export function loadOpenvino(): { ov: OvAddon; build: 'official' | 'ours' } {
  if (loaded) return loaded;
  const conflict = nativeConflict('openvino');
  if (conflict) throw new OpenvinoUnavailableError(conflict);
  let mod: { addon: OvAddon & { darknetPrunerBuild?: string } };
  try {
    mod = req('openvino-node') as typeof mod;
  } catch (e) {
    const msg = String((e as Error).message).split('\n')[0];
    throw new OpenvinoUnavailableError(`openvino-node cannot be loaded (${msg}); ${ENABLE_HINT} installs it`);
  }
  loaded = { ov: mod.addon, build: mod.addon.darknetPrunerBuild ? 'ours' : 'official' };
  return loaded;
}

/** A pool of `jobs` infer requests on `compiled` (one made by this addon's compileModel). */
export function createAsyncInferQueue(ov: OvAddon, compiled: OvCompiledModel, jobs: number): OvAsyncInferQueue {
  return new ov.AsyncInferQueue(compiled as never, jobs);
}
