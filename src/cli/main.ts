// agent-queue command line. Each command lives in its own file, listed in commands.ts, and only
// the one argv names is loaded (all of them for --help and for a word that names no command).
import { Command, CommanderError } from 'commander';
import { reportError } from './context.js';
import { COMMANDS, dispatch } from './commands.js';
import { addSettingFlags } from './setting-flags.js';
import { packageVersion } from '../core/version.js';

function baseProgram(): Command {
  return (
    addSettingFlags(
      new Command('agent-queue').description(
        'A durable job queue whose workers are AI coding agents (MCP server, CLI, worker runtime).',
      ),
      { global: true },
    )
      .option('--json', 'print machine-readable JSON')
      .version(packageVersion(), '-V, --version', 'print the version of agent-queue')
      // One line of pointer after a program-level error, not fifty lines of help.
      .showHelpAfterError("Run 'agent-queue --help' for the commands and options.")
      .showSuggestionAfterError()
      .configureOutput({
        // commander says "error: unknown command 'lsit'\n(Did you mean list?)": one line is easier to read and grep.
        outputError: (text, write) => write(text.replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')),
      })
      .exitOverride()
  );
}

/** The program with the commands argv needs (all of them when `all`). */
export async function buildProgram(argv: readonly string[] = [], all = false): Promise<Command> {
  const program = baseProgram();
  const plan = all ? ({ kind: 'all' } as const) : dispatch(program, argv);
  const names = plan.kind === 'all' ? Object.keys(COMMANDS) : [plan.name];
  const registrars = await Promise.all(names.map((name) => COMMANDS[name]!()));
  // With every command loaded, `mcp` is not the default: an unknown word is then reported as an
  // unknown command with a suggestion instead of being swallowed as an argument of `mcp`.
  const isDefault = plan.kind === 'one' && plan.isDefault;
  registrars.forEach((register, i) =>
    names[i] === 'mcp' ? register(program, isDefault) : register(program),
  );
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError && (err.exitCode === 0 || err.code === 'commander.helpDisplayed'))
      return;
    process.exitCode = reportError(err);
  }
}
