// The evaluation runtime a command was asked for (--runtime), checked to load here before any work.

import type { EvalRuntime } from '../core/src/eval/runtimes';
import { CliError } from './args';

export async function requireRuntime(rt: EvalRuntime, flag = `--runtime ${rt.name}`): Promise<EvalRuntime> {
  const why = await rt.probe();
  if (why) throw new CliError(`${flag}: ${rt.package} cannot be used here: ${why} (to install: ${rt.setup})`, 1);
  return rt;
}
