// loadSettings: flag ?? environment ?? default for every setting, one-line errors naming the
// setting, the checks that span settings, and only the settings the running command reads.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/queue/settings.js';
import { loadSettings, type LoadSettingsInput } from '../../src/settings/index.js';

const serve = (env: Record<string, string>, flags: LoadSettingsInput['flags'] = {}) =>
  loadSettings({ env, flags, command: 'serve' });

/** The one-line error a bad setting gives, as `error [invalid_argument]: …` prints it. */
function failure(input: () => unknown): string {
  try {
    input();
  } catch (err) {
    const e = err as { code?: string; message: string };
    return `[${e.code}] ${e.message}`;
  }
  throw new Error('expected the settings to be refused');
}

describe('loadSettings', () => {
  it('fills every setting with its default when nothing is set', () => {
    const s = serve({});
    expect(s).toEqual({
      database: {
        home: join(homedir(), '.agent-queue'),
        target: { kind: 'sqlite', path: join(homedir(), '.agent-queue', 'queue.db') },
      },
      queue: DEFAULT_SETTINGS,
      log: { level: 'info' },
      mcp: { tools: 'all', toolNames: 'snake' },
      http: {
        host: '127.0.0.1',
        port: 8787,
        origins: { allowedHosts: [], allowedOrigins: [] },
        maxSessions: 256,
      },
      worker: { capabilities: [] },
      remote: {},
      scope: {},
      runtime: {
        concurrency: 1,
        leaseSeconds: 120,
        cancelGraceSeconds: 10,
        shutdownGraceSeconds: 30,
        noRetryExitCodes: [],
      },
    });
  });

  it('reads every variable, and a flag wins over its variable', () => {
    const env = {
      DATABASE_URL: 'postgres://u@db.internal:5432/queue',
      AGENT_QUEUE_PG_SCHEMA: 'team_a',
      AGENT_QUEUE_HOME: '/srv/aq',
      AGENT_QUEUE_LEASE_SECONDS: '30',
      AGENT_QUEUE_MAX_ATTEMPTS: '7',
      AGENT_QUEUE_BACKOFF_BASE_SECONDS: '2',
      AGENT_QUEUE_BACKOFF_CAP_SECONDS: '60',
      AGENT_QUEUE_PAYLOAD_LIMIT_BYTES: '4096',
      AGENT_QUEUE_RETENTION_DAYS: '3',
      AGENT_QUEUE_LOG_LEVEL: 'debug',
      AGENT_QUEUE_TOOLS: 'producer',
      AGENT_QUEUE_TOOL_NAMES: 'dotted',
      AGENT_QUEUE_WORKER_ID: '  box-1  ',
      AGENT_QUEUE_CAPABILITIES: 'python, gpu,python',
      AGENT_QUEUE_TYPES: 'code.review,docs.write',
      AGENT_QUEUE_HOST: '[::1]',
      AGENT_QUEUE_PORT: '0',
      AGENT_QUEUE_ALLOWED_HOSTS: 'queue.internal, queue.internal:8787',
      AGENT_QUEUE_ALLOWED_ORIGINS: 'https://app.example.com',
      AGENT_QUEUE_HTTP_MAX_SESSIONS: '40',
    };
    const fromEnv = serve(env);
    expect(fromEnv.database).toEqual({
      home: '/srv/aq',
      target: { kind: 'postgres', url: env.DATABASE_URL, schema: 'team_a' },
    });
    expect(fromEnv.queue).toEqual({
      ...DEFAULT_SETTINGS,
      defaultLeaseSeconds: 30,
      defaultMaxAttempts: 7,
      backoff: { ...DEFAULT_SETTINGS.backoff, baseSeconds: 2, capSeconds: 60 },
      payloadLimitBytes: 4096,
      retentionDays: 3,
    });
    expect(fromEnv.log).toEqual({ level: 'debug' });
    expect(fromEnv.mcp).toEqual({ tools: 'producer', toolNames: 'dotted' });
    expect(fromEnv.worker).toEqual({
      id: 'box-1',
      capabilities: ['python', 'gpu'],
      types: ['code.review', 'docs.write'],
    });
    expect(fromEnv.http).toEqual({
      host: '::1',
      port: 0,
      origins: {
        allowedHosts: ['queue.internal', 'queue.internal:8787'],
        allowedOrigins: ['https://app.example.com'],
      },
      maxSessions: 40,
    });

    const fromFlags = serve(env, {
      'database.url': 'sqlite:///tmp/flag.db',
      'database.home': '/flag/home',
      'queue.defaultLeaseSeconds': 45,
      'mcp.tools': 'worker',
      'mcp.toolNames': 'snake',
      'worker.id': 'flag-id',
      'worker.capabilities': 'rust',
      'worker.types': 'a',
      'http.host': 'localhost',
      'http.port': '9000',
      'http.allowedHosts': 'h',
      'http.allowedOrigins': 'http://x:1',
      'http.maxSessions': 7,
    });
    expect(fromFlags.database).toEqual({
      home: '/flag/home',
      target: { kind: 'sqlite', path: '/tmp/flag.db' },
    });
    expect(fromFlags.queue.defaultLeaseSeconds).toBe(45);
    expect(fromFlags.mcp).toEqual({ tools: 'worker', toolNames: 'snake' });
    expect(fromFlags.worker).toEqual({ id: 'flag-id', capabilities: ['rust'], types: ['a'] });
    expect(fromFlags.http).toEqual({
      host: 'localhost',
      port: 9000,
      origins: { allowedHosts: ['h'], allowedOrigins: ['http://x:1'] },
      maxSessions: 7,
    });
  });

  it('treats a blank value as unset', () => {
    const s = serve(
      {
        AGENT_QUEUE_TYPES: '',
        AGENT_QUEUE_LOG_LEVEL: ' ',
        AGENT_QUEUE_WORKER_ID: '  ',
        AGENT_QUEUE_PORT: '',
      },
      { 'mcp.tools': '' },
    );
    expect(s.worker).toEqual({ capabilities: [] });
    expect(s.log.level).toBe('info');
    expect(s.http.port).toBe(8787);
    expect(s.mcp.tools).toBe('all');
  });

  it('names the setting and what it should be, in one line', () => {
    const cases: [Record<string, string>, LoadSettingsInput['flags'], string][] = [
      [
        { DATABASE_URL: 'mysql://db/queue' },
        {},
        '[invalid_argument] DATABASE_URL: unsupported scheme "mysql:". Use postgres://user@host:5432/db for PostgreSQL or sqlite:///absolute/path/queue.db for SQLite.',
      ],
      [
        {},
        { 'database.url': 'sqlite://relative/queue.db' },
        '[invalid_argument] DATABASE_URL: SQLite needs an absolute path, written with three slashes: sqlite:///home/me/queue.db, or one under your home: sqlite://~/queue.db (got "sqlite://relative/queue.db").',
      ],
      [
        { DATABASE_URL: 'postgres://a b:c' },
        {},
        '[invalid_argument] DATABASE_URL: is not a valid URL. Example: postgres://user:password@127.0.0.1:5432/dbname',
      ],
      [
        { AGENT_QUEUE_PG_SCHEMA: '9lives' },
        {},
        '[invalid_argument] AGENT_QUEUE_PG_SCHEMA: "9lives" is not a valid schema name: use up to 48 lowercase letters, digits and _ (not starting with a digit).',
      ],
      [
        { AGENT_QUEUE_LOG_LEVEL: 'loud' },
        {},
        '[invalid_argument] AGENT_QUEUE_LOG_LEVEL: use one of fatal, error, warn, info, debug, silent.',
      ],
      [
        { AGENT_QUEUE_LEASE_SECONDS: 'abc' },
        {},
        '[invalid_argument] AGENT_QUEUE_LEASE_SECONDS: "abc" is not valid: Invalid input: expected number, received NaN.',
      ],
      [
        { AGENT_QUEUE_LEASE_SECONDS: '30' },
        { 'queue.defaultLeaseSeconds': 0 },
        '[invalid_argument] AGENT_QUEUE_LEASE_SECONDS: "0" is not valid: Too small: expected number to be >=1.',
      ],
      [
        { AGENT_QUEUE_MAX_ATTEMPTS: '1.5' },
        {},
        '[invalid_argument] AGENT_QUEUE_MAX_ATTEMPTS: "1.5" is not valid: Invalid input: expected int, received number.',
      ],
      [
        { AGENT_QUEUE_PAYLOAD_LIMIT_BYTES: '100' },
        {},
        '[invalid_argument] AGENT_QUEUE_PAYLOAD_LIMIT_BYTES: "100" is not valid: Too small: expected number to be >=1024.',
      ],
      [
        { AGENT_QUEUE_RETENTION_DAYS: '4000' },
        {},
        '[invalid_argument] AGENT_QUEUE_RETENTION_DAYS: "4000" is not valid: Too big: expected number to be <=3650.',
      ],
      [
        { AGENT_QUEUE_BACKOFF_BASE_SECONDS: '100', AGENT_QUEUE_BACKOFF_CAP_SECONDS: '50' },
        {},
        '[invalid_argument] AGENT_QUEUE_BACKOFF_CAP_SECONDS: must be at least AGENT_QUEUE_BACKOFF_BASE_SECONDS (100).',
      ],
      [
        {},
        { 'mcp.tools': 'everything' },
        '[invalid_argument] --tools / AGENT_QUEUE_TOOLS: "everything" is not one of worker, producer, operator, all.',
      ],
      [
        { AGENT_QUEUE_TOOL_NAMES: 'camel' },
        {},
        '[invalid_argument] --tool-names / AGENT_QUEUE_TOOL_NAMES: "camel" is not one of snake, dotted.',
      ],
      [
        { AGENT_QUEUE_WORKER_ID: 'w'.repeat(201) },
        {},
        '[invalid_argument] --worker-id / AGENT_QUEUE_WORKER_ID: must be at most 200 characters.',
      ],
      [
        { AGENT_QUEUE_CAPABILITIES: 'python,has space' },
        {},
        '[invalid_argument] --capabilities / AGENT_QUEUE_CAPABILITIES: "has space" is not a valid capability. Use a comma-separated list of names made of letters, digits and . _ : - (e.g. python,gpu).',
      ],
      [
        {},
        { 'worker.types': 'ok,Not.Ok' },
        '[invalid_argument] --types / AGENT_QUEUE_TYPES: "Not.Ok" is not a valid job type. Use a comma-separated list of lowercase types such as code.review,docs.write.',
      ],
      [
        { AGENT_QUEUE_PORT: '70000' },
        {},
        '[invalid_argument] --port / AGENT_QUEUE_PORT: "70000" is not a port number (0–65535; 0 picks a free port).',
      ],
      [
        { AGENT_QUEUE_ALLOWED_ORIGINS: 'https://ok.example.com,https://app.example.com/path' },
        {},
        '[invalid_argument] --allowed-origins / AGENT_QUEUE_ALLOWED_ORIGINS: "https://app.example.com/path" is not an origin such as https://app.example.com (scheme and host, no path).',
      ],
    ];
    for (const [env, flags, message] of cases) expect(failure(() => serve(env, flags))).toBe(message);
  });

  it('reads a server setting only for the commands that use it', () => {
    const env = {
      AGENT_QUEUE_TOOLS: 'bogus',
      AGENT_QUEUE_PORT: 'bogus',
      AGENT_QUEUE_HOST: '0.0.0.0',
      AGENT_QUEUE_LEASE_SECONDS: '42',
    };
    // `list` reads neither, and keeps their defaults; the queue's settings reach every command.
    const list = loadSettings({ env, command: 'list' });
    expect(list.mcp.tools).toBe('all');
    expect(list.http).toMatchObject({ host: '127.0.0.1', port: 8787 });
    expect(list.queue.defaultLeaseSeconds).toBe(42);
    // `mcp` reads the MCP settings, not the HTTP ones.
    expect(failure(() => loadSettings({ env, command: 'mcp' }))).toMatch(/^\[invalid_argument\] --tools /);
    const mcp = loadSettings({ env: { ...env, AGENT_QUEUE_TOOLS: 'worker' }, command: 'mcp' });
    expect(mcp.mcp.tools).toBe('worker');
    expect(mcp.http.port).toBe(8787);
    expect(
      failure(() => loadSettings({ env: { ...env, AGENT_QUEUE_TOOLS: 'worker' }, command: 'serve' })),
    ).toMatch(/^\[invalid_argument\] --port /);
  });

  it('takes a non-loopback --host: serve decides at start, when it knows whether a token exists', () => {
    expect(serve({}, { 'http.host': '0.0.0.0' }).http.host).toBe('0.0.0.0');
    expect(serve({ AGENT_QUEUE_HOST: '[::]' }).http.host).toBe('::');
  });

  it('is frozen, all the way down', () => {
    const s = serve({ AGENT_QUEUE_CAPABILITIES: 'a' });
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.queue.backoff)).toBe(true);
    expect(Object.isFrozen(s.database.target)).toBe(true);
    expect(() => (s.worker.capabilities as string[]).push('b')).toThrow(TypeError);
  });
});
