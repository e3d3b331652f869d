// agent-queue command line. Each command lives in its own file and registers itself here.
import { Command, CommanderError } from 'commander';
import { reportError } from './context.js';
import { registerMigrate } from './migrate.js';

const REGISTRARS: ((program: Command) => void)[] = [registerMigrate];

export function buildProgram(): Command {
  const program = new Command('agent-queue')
    .description('A durable job queue whose workers are AI coding agents (MCP server, CLI, worker runtime).')
    .option('--database-url <url>', 'postgres://… or sqlite:///abs/path.db (env DATABASE_URL; default SQLite in AGENT_QUEUE_HOME)')
    .option('--home <dir>', 'home folder for the default SQLite file (env AGENT_QUEUE_HOME; default ~/.agent-queue)')
    .option('--json', 'print machine-readable JSON')
    .showHelpAfterError()
    .exitOverride();
  for (const register of REGISTRARS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && (err.exitCode === 0 || err.code === 'commander.helpDisplayed')) return;
    process.exitCode = reportError(err);
  }
}
