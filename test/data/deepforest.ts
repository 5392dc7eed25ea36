// Real aerial images with tree boxes from DeepForest's PyPI wheel (MIT), set up by
// `npm run setup:data` (scripts/setup-data.sh) in the cache, never in the repository.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../../core/src/io/cache';

export const DEEPFOREST = join(cacheDir(), 'deepforest-2.1.0', 'data');

/** A reason to skip when the data is absent (with the command that fetches it), else false. */
export const skipWithoutDeepForest: string | false = existsSync(join(DEEPFOREST, '.complete'))
  ? false
  : `DeepForest data not found in ${DEEPFOREST}: run \`npm run setup:data\``;
