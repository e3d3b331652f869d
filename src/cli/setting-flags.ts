// The settings' flags on commander commands, all from the one table (src/settings/table.ts): which
// command takes which flag, its --help line, and reading the values back into loadSettings.
import { Option, type Command } from 'commander';
import { loadSettings, takes, type FlagValues } from '../settings/load.js';
import { SETTINGS, type Setting, type SettingFlag, type SettingKey } from '../settings/table.js';
import type { Settings } from '../settings/types.js';
import { intArg } from './args.js';

const plain = (markdown: string) => markdown.replaceAll('`', '');

/** A setting's flag always takes a value: `--no-retry-exit-codes <list>` is not commander's negation of a boolean. */
function optionOf(spec: string, help?: string): Option {
  const option = new Option(spec, help);
  option.negate = false;
  return option;
}

/** "<help> (env <VARIABLE>; default <default>)": where else to set it, and what happens if nobody does. */
export const flagHelp = (row: Setting<unknown>): string =>
  `${plain(row.help)} (env ${row.env}; default ${plain(row.defaultText)})`;

function flagged(): [SettingKey, Setting<unknown> & { flag: SettingFlag }][] {
  const rows = Object.entries(SETTINGS) as unknown as [SettingKey, Setting<unknown>][];
  return rows.filter((e): e is [SettingKey, Setting<unknown> & { flag: SettingFlag }] => !!e[1].flag);
}

/**
 * Adds the settings' flags to `cmd`: the global ones (taken by every command) to the program,
 * the others to the commands that take them (`mcp`, `serve`, `worker`; --queue: the job commands too).
 */
export function addSettingFlags(cmd: Command, options: { global: true } | { command: string }): Command {
  for (const [, row] of flagged()) {
    const { flag } = row;
    const wanted =
      'global' in options
        ? flag.commands === 'all'
        : flag.commands !== 'all' && takes(flag.commands, options.command);
    if (!wanted) continue;
    const option = optionOf(flag.spec, flagHelp(row));
    cmd.addOption(flag.parse === 'integer' ? option.argParser(intArg) : option);
  }
  return cmd;
}

/** The settings of the command `cmd` runs: its flags and the global ones, the environment, the defaults. */
export function settingsFor(cmd: Command, env: NodeJS.ProcessEnv = process.env): Settings {
  const given = cmd.optsWithGlobals<Record<string, string | number | undefined>>();
  const flags: FlagValues = {};
  for (const [key, { flag }] of flagged()) {
    if (takes(flag.commands, cmd.name())) flags[key] = given[optionOf(flag.spec).attributeName()];
  }
  return loadSettings({ flags, env, command: cmd.name() });
}
