// Which command's module the CLI loads for an argv (in-process, no database): it must read argv the
// way commander will, or a value such as `--home list` would load the wrong command.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/cli/commands.js';
import { addSettingFlags } from '../../src/cli/setting-flags.js';

const program = () => addSettingFlags(new Command('agent-queue'), { global: true }).option('--json');

describe('cli dispatch', () => {
  it('loads the one command argv names, after global options and their values', () => {
    expect(dispatch(program(), ['list'])).toEqual({ kind: 'one', name: 'list', isDefault: false });
    expect(dispatch(program(), ['--json', 'status'])).toEqual({
      kind: 'one',
      name: 'status',
      isDefault: false,
    });
    // `list` is the value of --home here, not the command.
    expect(dispatch(program(), ['--home', 'list', 'enqueue', 'a'])).toMatchObject({ name: 'enqueue' });
    expect(dispatch(program(), ['--database-url=sqlite:///q.db', 'get', 'x'])).toMatchObject({ name: 'get' });
  });

  it('runs mcp by default: no command, or an option only mcp knows before any word', () => {
    const mcp = { kind: 'one', name: 'mcp', isDefault: true };
    expect(dispatch(program(), [])).toEqual(mcp);
    expect(dispatch(program(), ['--json'])).toEqual(mcp);
    expect(dispatch(program(), ['--tools', 'worker'])).toEqual(mcp);
  });

  it('reads a `--` the way commander does: nothing after it is mcp, a word after it the command', () => {
    const mcp = { kind: 'one', name: 'mcp', isDefault: true };
    expect(dispatch(program(), ['--'])).toEqual(mcp);
    expect(dispatch(program(), ['--json', '--'])).toEqual(mcp);
    expect(dispatch(program(), ['--', 'list'])).toEqual({ kind: 'one', name: 'list', isDefault: false });
    expect(dispatch(program(), ['--', 'lsit'])).toEqual({ kind: 'all' });
  });

  it('loads every command for help, --version and a word that names none (to suggest one)', () => {
    for (const argv of [['--help'], ['-V'], ['help', 'list'], ['lsit'], ['--json', 'statsu']]) {
      expect(dispatch(program(), argv), argv.join(' ')).toEqual({ kind: 'all' });
    }
  });
});
