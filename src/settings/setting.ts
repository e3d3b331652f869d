// What a setting is: its environment variable, its flag, how its text is parsed, its default and
// its help. The rows themselves are in sections/ (one file per section); table.ts joins them.
import type { z } from 'zod';

/** Which commands read a setting, or take a flag. */
export type Commands =
  'all' | 'mcp+serve' | 'mcp+serve+worker' | 'mcp+worker' | 'queue-scoped' | 'serve' | 'worker';

/** The commands of each scope but `all`. */
export const SCOPES: Record<Exclude<Commands, 'all'>, readonly string[]> = {
  'mcp+serve': ['mcp', 'serve'],
  'mcp+serve+worker': ['mcp', 'serve', 'worker'],
  'mcp+worker': ['mcp', 'worker'],
  // A named queue scopes the servers of one project and every command that claims, reads or touches jobs.
  'queue-scoped': [
    'mcp',
    'worker',
    'enqueue',
    'claim',
    'list',
    'get',
    'wait',
    'events',
    'cancel',
    'retry',
    'pause',
    'resume',
    'status',
  ],
  serve: ['serve'],
  worker: ['worker'],
};

export interface SettingFlag {
  /** As commander takes it, e.g. `--lease <seconds>`. */
  spec: string;
  /** May be narrower than the setting's: --lease is a server flag, AGENT_QUEUE_LEASE_SECONDS reaches every command. */
  commands: Commands;
  /** 'integer': checked at the command line, so a typo exits 2 before any work. Default: passed on as text. */
  parse?: 'integer';
}

export interface Setting<T> {
  env: string;
  flag?: SettingFlag;
  /** Commands that read the setting; every other command leaves it at its default, unread. */
  commands: Commands;
  /** Parses the raw text (blank text means unset and never reaches it). */
  schema: z.ZodType<T, string>;
  default: T;
  /** The default as people read it. Backticks mark literals for the README; --help drops them. */
  defaultText: string;
  /** One line, for --help and the README (backticks as above). */
  help: string;
}

export const setting = <T>(s: Setting<T>): Setting<T> => s;
/** A setting without a default value. */
export const noValue = undefined as string | undefined;
