// Flag values parsed strictly at the command line: a typo fails before any database work, with
// one line naming the flag (commander prints it and exits 2). Queue rules stay in the service.
import { hostname, userInfo } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** A whole number; rejects "12abc", "1.5", "" and "0x10" that Number() or parseInt would let through. */
export function intArg(value: string): number {
  if (!INTEGER.test(value.trim())) throw new InvalidArgumentError('expected a whole number, e.g. 3');
  return Number(value);
}

/** A plain decimal number such as 2 or 0.5. */
export function numberArg(value: string): number {
  if (!DECIMAL.test(value.trim())) throw new InvalidArgumentError('expected a number, e.g. 2 or 0.5');
  return Number(value);
}

/** A strictly positive decimal number (intervals). */
export function positiveArg(value: string): number {
  const n = numberArg(value);
  if (n <= 0) throw new InvalidArgumentError('expected a number greater than 0');
  return n;
}

/** "a,b, c" -> ["a","b","c"]; repeated flags accumulate. */
export function listArg(value: string, previous: string[] = []): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list, e.g. a,b');
  return [...previous, ...items];
}

/** Who a CLI call acts as, for createdBy / requestedBy: cli:<os user>@<host>. */
export function defaultActor(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (e.g. an arbitrary uid in a container).
    user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
  return `cli:${user}@${hostname()}`.slice(0, 200);
}

export const ACTOR_FLAG = [
  '--actor <name>',
  'who is asking, for the timeline and audit (default cli:<user>@<host>)',
] as const;

/** A command of this CLI: a bad flag gives one line, not the whole help. */
export function defineCommand(program: Command, nameAndArgs: string, description: string): Command {
  return program.command(nameAndArgs).description(description).showHelpAfterError(false);
}
