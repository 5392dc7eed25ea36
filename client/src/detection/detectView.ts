// A `detect` job's result → the detection panel's view (no `vscode` import at run time, so tests
// can load it): each image with its webview URI and candidates, the CLI's defaults to start from.

import * as path from 'node:path';
import type { DetectJobResult } from '../../../core/src/protocol/jobs';
import type { DetectView } from '../../../webviews/src/shared/protocol';

/** Scores the panel can go down to: the job decodes every box above this, before NMS. */
export const DETECT_FLOOR = 0.005;
/** `darknet-pruner detect`'s default --thresh, where the panel's slider starts. */
export const DETECT_DEFAULT_THRESH = 0.25;

export function detectView(cfg: string, r: DetectJobResult, src: (imagePath: string) => string): DetectView {
  return {
    title: path.basename(cfg),
    runtime: r.runtime,
    backend: r.backend,
    classes: r.classes,
    names: r.names,
    floor: r.thresh,
    defaults: { thresh: Math.max(r.thresh, DETECT_DEFAULT_THRESH), nms: r.nms },
    images: r.images.map((i) => ({
      path: i.image,
      src: src(i.image),
      width: i.width,
      height: i.height,
      ms: i.ms,
      candidates: i.candidates ?? [],
    })),
  };
}

/** The folders the panel may load images from: those of the images it shows, and no others. */
export function imageFolders(images: readonly string[]): string[] {
  return [...new Set(images.map((i) => path.dirname(path.resolve(i))))];
}
