// The CLI's main() run in this test's process, with what it printed collected (fast: no child
// process, no bundle). Tests of the shipped CLI process use ./run.ts instead.
import { main } from '../../cli/main';

export interface CliOutput {
  code: number;
  out: string;
  err: string;
}

export async function runMain(argv: string[]): Promise<CliOutput> {
  const out: string[] = [],
    err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
