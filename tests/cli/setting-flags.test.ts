// The settings' flags on the real command tree (in-process, no database): each command takes the
// flags of the settings it reads, with their variable and default in --help, and its values reach
// loadSettings; a command's own flag of the same name (claim --lease) is not the setting.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { settingsFor } from '../../src/cli/setting-flags.js';
import type { Settings } from '../../src/settings/index.js';
import { SCOPES, SETTINGS } from '../../src/settings/table.js';
import { takes } from '../../src/settings/load.js';

/** Parses `args` like the CLI does, but every command only reports its settings. */
async function settingsOf(args: string[], env: Record<string, string> = {}): Promise<Settings> {
  const program = await buildProgram(args);
  let settings: Settings | undefined;
  for (const command of program.commands) {
    command.configureOutput({ writeErr: () => {}, writeOut: () => {} });
    command.action((...args: unknown[]) => {
      settings = settingsFor(args.at(-1) as Command, env);
    });
  }
  await program.parseAsync(args, { from: 'user' });
  if (!settings) throw new Error(`no command ran for ${args.join(' ')}`);
  return settings;
}

const optionsOf = (command: Command) => new Map(command.options.map((o) => [o.long, o.description]));

describe('setting flags', () => {
  it('gives each command the flags of the settings it reads, each with its variable and default', async () => {
    const program = await buildProgram([], true);
    const commands = new Map(program.commands.map((c) => [c.name(), c]));
    const takenBy = {
      all: program,
      'mcp+serve': commands.get('mcp')!,
      'mcp+serve+worker': commands.get('worker')!,
      'mcp+worker': commands.get('worker')!,
      'queue-scoped': commands.get('list')!,
      serve: commands.get('serve')!,
      worker: commands.get('worker')!,
    };
    for (const row of Object.values(SETTINGS)) {
      if (!row.flag) continue;
      const long = row.flag.spec.split(' ')[0];
      const help = optionsOf(takenBy[row.flag.commands]).get(long);
      expect(help, long).toMatch(new RegExp(`\\(env ${row.env}; default [^)]+\\)$`));
      expect(help, long).not.toContain('`');
      if (row.flag.commands === 'mcp+worker')
        expect(optionsOf(commands.get('mcp')!).has(long), long).toBe(true);
      if (row.flag.commands.startsWith('mcp+serve')) {
        expect(optionsOf(commands.get('mcp')!).has(long), long).toBe(true);
        expect(optionsOf(commands.get('serve')!).has(long), long).toBe(true);
      }
      if (row.flag.commands === 'queue-scoped') {
        for (const name of SCOPES['queue-scoped'])
          expect(optionsOf(commands.get(name)!).has(long), `${name} ${long}`).toBe(true);
      }
      for (const other of ['list', 'migrate']) {
        if (row.flag.commands !== 'all' && !takes(row.flag.commands, other))
          expect(optionsOf(commands.get(other)!).has(long), `${other} ${long}`).toBe(false);
      }
    }
    expect(optionsOf(program).get('--database-url')).toBe(
      'postgres://…, sqlite:///abs/path.db or sqlite://~/path.db (env DATABASE_URL; default SQLite in AGENT_QUEUE_HOME)',
    );
    expect(optionsOf(commands.get('mcp')!).get('--tools')).toBe(
      'tools to expose: worker, producer, operator or all (env AGENT_QUEUE_TOOLS; default all)',
    );
  });

  it('passes global and command flags to the settings, over the environment', async () => {
    const env = { AGENT_QUEUE_TOOLS: 'producer', AGENT_QUEUE_PORT: '1234', AGENT_QUEUE_HOME: '/env/home' };
    const s = await settingsOf(
      [
        '--home',
        '/flag/home',
        'serve',
        '--tools',
        'worker',
        '--lease',
        '45',
        '--port',
        '0',
        '--capabilities',
        'gpu',
        '--database-url',
        'sqlite:///tmp/flags.db',
      ],
      env,
    );
    expect(s.database).toEqual({ home: '/flag/home', target: { kind: 'sqlite', path: '/tmp/flags.db' } });
    expect(s.mcp.tools).toBe('worker');
    expect(s.queue.defaultLeaseSeconds).toBe(45);
    expect(s.http.port).toBe(0);
    expect(s.worker.capabilities).toEqual(['gpu']);
    expect((await settingsOf(['mcp'], env)).mcp.tools).toBe('producer');
  });

  it("does not mistake a command's own flag for a setting", async () => {
    const s = await settingsOf(['claim', '--worker-id', 'w', '--lease', '5', '--types', 'a']);
    expect(s.queue.defaultLeaseSeconds).toBe(600);
    expect(s.worker).toEqual({ capabilities: [] });
  });

  it("gives `worker` its own settings, its lease apart from the servers' one", async () => {
    const s = await settingsOf(
      [
        'worker',
        '--types',
        'code.review',
        '--capabilities',
        'gpu',
        '--worker-id',
        'w1',
        '--concurrency',
        '3',
        '--lease',
        '60',
        '--no-retry-exit-codes',
        '1, 2',
        '--',
        'prog',
        '--lease',
        '9',
      ],
      { AGENT_QUEUE_CANCEL_GRACE_SECONDS: '4', AGENT_QUEUE_LEASE_SECONDS: '700' },
    );
    expect(s.worker).toEqual({ id: 'w1', capabilities: ['gpu'], types: ['code.review'] });
    expect(s.runtime).toEqual({
      concurrency: 3,
      leaseSeconds: 60,
      cancelGraceSeconds: 4,
      shutdownGraceSeconds: 30,
      noRetryExitCodes: [1, 2],
    });
    expect(s.queue.defaultLeaseSeconds).toBe(700);
    const defaults = await settingsOf(['worker', '--', 'prog'], { AGENT_QUEUE_CONCURRENCY: '5' });
    expect(defaults.runtime).toMatchObject({ concurrency: 5, leaseSeconds: 120, noRetryExitCodes: [] });
    // A server reads none of them.
    const serve = await settingsOf(['serve'], {
      AGENT_QUEUE_CONCURRENCY: '5',
      AGENT_QUEUE_WORKER_LEASE_SECONDS: '9',
    });
    expect(serve.runtime).toMatchObject({ concurrency: 1, leaseSeconds: 120 });
    await expect(settingsOf(['serve', '--concurrency', '2'])).rejects.toMatchObject({
      code: 'commander.unknownOption',
    });
    const worker = (await buildProgram(['worker'])).commands.find((c) => c.name() === 'worker')!;
    expect(() =>
      settingsFor(worker, {
        AGENT_QUEUE_NO_RETRY_EXIT_CODES: '1,x',
      }),
    ).toThrow(/--no-retry-exit-codes \/ AGENT_QUEUE_NO_RETRY_EXIT_CODES: "x" is not an exit code/);
  });

  it('checks a whole-number flag at the command line', async () => {
    await expect(settingsOf(['mcp', '--lease', '1.5'])).rejects.toMatchObject({
      code: 'commander.invalidArgument',
      message: expect.stringMatching(/--lease <seconds>.*expected a whole number/),
    });
  });
});
