// Real trained weights fetched by `npm run setup:weights` (cached, never committed): the official COCO
// yolov3-tiny.weights, coco.names and a photo without labels. Tests skip with the command when absent.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CFG_DIR } from './corpus';
import { cacheDir } from '../core/src/io/cache';

const DIR = join(cacheDir(), 'weights');

export const REAL = {
  cfg: join(CFG_DIR, 'yolov3-tiny.cfg'),
  weights: join(DIR, 'yolov3-tiny.weights'),
  names: join(DIR, 'coco.names'),
  photo: join(DIR, 'bus.jpg'),
};

/** undefined when the real weights are here, else the skip reason with the command that fetches them. */
export function realWeightsMissing(): string | undefined {
  const ok = existsSync(REAL.weights) && statSync(REAL.weights).size === 35_434_956 && existsSync(REAL.names) && existsSync(REAL.photo);
  return ok ? undefined : `real COCO yolov3-tiny weights not in ${DIR}; fetch with: npm run setup:weights`;
}
