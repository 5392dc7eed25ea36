// darknet-pruner: the command line over core/ (the jobs the extension launches).

import { CliError } from './args';
import { removePendingTemps } from './io';
import * as check from './commands/check';
import * as info from './commands/info';
import * as weights from './commands/weights';

export interface CommandContext {
  out(text: string): void;
  err(text: string): void;
}

interface Command {
  USAGE: string;
  run(argv: string[], ctx: CommandContext): number | Promise<number>;
}

const COMMANDS: Record<string, Command> = { info, check, weights };

function usage(): string {
  return ['usage: darknet-pruner <command> [options]', '', 'commands:', ...Object.values(COMMANDS).map((c) => `  ${c.USAGE}`)].join('\n');
}

export async function main(argv: string[], ctx: CommandContext): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') { ctx.out(usage()); return name ? 0 : 2; }
  if (name === '--version') { ctx.out('0.1.0'); return 0; }
  const cmd = COMMANDS[name];
  try {
    if (!cmd) throw new CliError(`unknown command "${name}" (try: ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('--help')) { ctx.out(`usage: ${cmd.USAGE}`); return 0; }
    return await cmd.run(rest, ctx);
  } catch (e) {
    if (e instanceof CliError) { ctx.err(`darknet-pruner: ${e.message}`); return e.exitCode; }
    ctx.err(`darknet-pruner: internal error: ${(e as Error).message ?? String(e)}`);
    if (process.env.DARKNET_PRUNER_DEBUG) ctx.err(String((e as Error).stack));
    return 70;
  }
}

function onSignal(signal: NodeJS.Signals) {
  removePendingTemps();
  process.stderr.write(`darknet-pruner: interrupted (${signal}); partial outputs removed\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

if (require.main === module || process.argv[1]?.endsWith('darknet-pruner.js') || process.argv[1]?.endsWith('darknet-pruner')) {
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  main(process.argv.slice(2), { out: (t) => process.stdout.write(t + '\n'), err: (t) => process.stderr.write(t + '\n') }).then(
    (code) => { process.exitCode = code; },
    (e) => { process.stderr.write(`darknet-pruner: ${(e as Error).message}\n`); process.exitCode = 70; },
  );
}
