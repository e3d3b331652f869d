// Every setting once: its environment variable, its flag, how its text is parsed, its default and
// its help. Commander flags, validation, --help and the README's table all come from here.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { PROFILES, TOOL_NAMINGS, type Profile, type ToolNaming } from '../mcp/profiles.js';
import { TYPE_PATTERN } from '../queue/schemas.js';
import { DEFAULT_SETTINGS } from '../queue/settings.js';
import { SCHEMA_PATTERN } from '../store/schema-name.js';
import { exitCodeList, nameList, oneOf, originList, port, textList, wholeNumber } from './kinds.js';
import { LOG_LEVELS, type LogLevel } from './types.js';

/** Which commands read a setting, or take a flag. */
export type Commands = 'all' | 'mcp+serve' | 'mcp+serve+worker' | 'serve' | 'worker';

/** The commands of each scope but `all`. */
export const SCOPES: Record<Exclude<Commands, 'all'>, readonly string[]> = {
  'mcp+serve': ['mcp', 'serve'],
  'mcp+serve+worker': ['mcp', 'serve', 'worker'],
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

const setting = <T>(s: Setting<T>): Setting<T> => s;
const noValue = undefined as string | undefined;
const PROFILE_NAMES = Object.keys(PROFILES) as [Profile, ...Profile[]];
/** A whole-number tunable every command reads (the queue's own defaults, SPEC §15). */
const count = (
  s: Omit<Setting<number>, 'commands' | 'schema' | 'defaultText'> & { min: number; max: number },
) =>
  setting({
    env: s.env,
    ...(s.flag ? { flag: s.flag } : {}),
    commands: 'all',
    schema: wholeNumber(s.min, s.max),
    default: s.default,
    defaultText: String(s.default),
    help: s.help,
  });

/** A whole-number setting of `agent-queue worker` only, with its flag. */
const workerCount = (s: {
  env: string;
  spec: string;
  min: number;
  max: number;
  default: number;
  help: string;
}) =>
  setting({
    env: s.env,
    flag: { spec: s.spec, commands: 'worker', parse: 'integer' },
    commands: 'worker',
    schema: wholeNumber(s.min, s.max),
    default: s.default,
    defaultText: String(s.default),
    help: s.help,
  });

export const SETTINGS = {
  'database.url': setting({
    env: 'DATABASE_URL',
    flag: { spec: '--database-url <url>', commands: 'all' },
    commands: 'all',
    schema: z.string(),
    default: noValue,
    defaultText: 'SQLite in AGENT_QUEUE_HOME',
    help: '`postgres://…` or `sqlite:///abs/path.db`',
  }),
  'database.home': setting({
    env: 'AGENT_QUEUE_HOME',
    flag: { spec: '--home <dir>', commands: 'all' },
    commands: 'all',
    schema: z.string(),
    default: join(homedir(), '.agent-queue'),
    defaultText: '`~/.agent-queue`',
    help: 'home folder for the default SQLite file',
  }),
  'database.schema': setting({
    env: 'AGENT_QUEUE_PG_SCHEMA',
    commands: 'all',
    schema: z.string().regex(SCHEMA_PATTERN, {
      error: (iss) =>
        `"${String(iss.input)}" is not a valid schema name: use up to 48 lowercase letters, digits and _ (not starting with a digit).`,
    }),
    default: noValue,
    defaultText: "the server's `search_path`",
    help: 'PostgreSQL schema holding the queue tables',
  }),
  'queue.defaultLeaseSeconds': count({
    env: 'AGENT_QUEUE_LEASE_SECONDS',
    flag: { spec: '--lease <seconds>', commands: 'mcp+serve', parse: 'integer' },
    min: 1,
    max: 86_400,
    default: DEFAULT_SETTINGS.defaultLeaseSeconds,
    help: 'lease for claims that do not ask for one',
  }),
  'queue.defaultMaxAttempts': count({
    env: 'AGENT_QUEUE_MAX_ATTEMPTS',
    min: 1,
    max: 100,
    default: DEFAULT_SETTINGS.defaultMaxAttempts,
    help: 'attempts before a job is dead-lettered',
  }),
  'queue.backoff.baseSeconds': count({
    env: 'AGENT_QUEUE_BACKOFF_BASE_SECONDS',
    min: 0,
    max: 86_400,
    default: DEFAULT_SETTINGS.backoff.baseSeconds,
    help: 'retry delay `base · 2^(attempt−1)`, jitter ±20 %',
  }),
  'queue.backoff.capSeconds': count({
    env: 'AGENT_QUEUE_BACKOFF_CAP_SECONDS',
    min: 0,
    max: 7 * 86_400,
    default: DEFAULT_SETTINGS.backoff.capSeconds,
    help: 'upper bound of the retry delay (at least the base)',
  }),
  'queue.payloadLimitBytes': count({
    env: 'AGENT_QUEUE_PAYLOAD_LIMIT_BYTES',
    min: 1024,
    max: 64 * 1024 * 1024,
    default: DEFAULT_SETTINGS.payloadLimitBytes,
    help: 'largest accepted payload (JSON bytes)',
  }),
  'queue.retentionDays': count({
    env: 'AGENT_QUEUE_RETENTION_DAYS',
    min: 1,
    max: 3650,
    default: DEFAULT_SETTINGS.retentionDays,
    help: 'finished jobs and their events are pruned after this many days',
  }),
  'log.level': setting<LogLevel>({
    env: 'AGENT_QUEUE_LOG_LEVEL',
    commands: 'all',
    schema: z.enum(LOG_LEVELS, { error: `use one of ${LOG_LEVELS.join(', ')}.` }),
    default: 'info',
    defaultText: '`info`',
    help: '`fatal`…`debug`, `silent`; logs go to stderr (stdout is the MCP protocol)',
  }),
  'mcp.tools': setting<Profile>({
    env: 'AGENT_QUEUE_TOOLS',
    flag: { spec: '--tools <profile>', commands: 'mcp+serve' },
    commands: 'mcp+serve',
    schema: oneOf(PROFILE_NAMES),
    default: 'all',
    defaultText: '`all`',
    help: 'tools to expose: `worker`, `producer`, `operator` or `all`',
  }),
  'mcp.toolNames': setting<ToolNaming>({
    env: 'AGENT_QUEUE_TOOL_NAMES',
    flag: { spec: '--tool-names <style>', commands: 'mcp+serve' },
    commands: 'mcp+serve',
    schema: oneOf(TOOL_NAMINGS),
    default: 'snake',
    defaultText: '`snake`',
    help: '`snake` (`queue_claim`) or `dotted` (`queue.claim`)',
  }),
  'worker.id': setting({
    env: 'AGENT_QUEUE_WORKER_ID',
    flag: { spec: '--worker-id <id>', commands: 'mcp+serve+worker' },
    commands: 'mcp+serve+worker',
    schema: z.string().trim().max(200, { error: 'must be at most 200 characters.' }),
    default: noValue,
    defaultText: '`<host>-<client>-<random>` per MCP session, `<host>-worker-<random>` per worker',
    help: 'fixed worker id',
  }),
  'worker.capabilities': setting({
    env: 'AGENT_QUEUE_CAPABILITIES',
    flag: { spec: '--capabilities <list>', commands: 'mcp+serve+worker' },
    commands: 'mcp+serve+worker',
    schema: nameList(
      /^[A-Za-z0-9._:-]+$/,
      'capability',
      'Use a comma-separated list of names made of letters, digits and . _ : - (e.g. python,gpu).',
    ),
    default: [] as string[],
    defaultText: 'none',
    help: 'comma-separated capabilities of this worker',
  }),
  'worker.types': setting({
    env: 'AGENT_QUEUE_TYPES',
    flag: { spec: '--types <list>', commands: 'mcp+serve+worker' },
    commands: 'mcp+serve+worker',
    schema: nameList(
      TYPE_PATTERN,
      'job type',
      'Use a comma-separated list of lowercase types such as code.review,docs.write.',
    ),
    default: undefined as string[] | undefined,
    defaultText: 'any',
    help: 'comma-separated job types this process may claim',
  }),
  'worker.concurrency': workerCount({
    env: 'AGENT_QUEUE_CONCURRENCY',
    spec: '--concurrency <n>',
    min: 1,
    max: 256,
    default: 1,
    help: 'jobs a worker runs at once',
  }),
  'worker.leaseSeconds': workerCount({
    env: 'AGENT_QUEUE_WORKER_LEASE_SECONDS',
    spec: '--lease <seconds>',
    min: 3,
    max: 86_400,
    default: 120,
    help: "lease a worker's claims ask for; it heartbeats every min(lease/3, 5 s)",
  }),
  'worker.cancelGraceSeconds': workerCount({
    env: 'AGENT_QUEUE_CANCEL_GRACE_SECONDS',
    spec: '--cancel-grace <seconds>',
    min: 0,
    max: 3_600,
    default: 10,
    help: "from SIGTERM to SIGKILL of a cancelled job's process group",
  }),
  'worker.shutdownGraceSeconds': workerCount({
    env: 'AGENT_QUEUE_SHUTDOWN_GRACE_SECONDS',
    spec: '--shutdown-grace <seconds>',
    min: 0,
    max: 86_400,
    default: 30,
    help: 'on SIGINT/SIGTERM, how long running jobs may finish before they are failed retryable',
  }),
  'worker.noRetryExitCodes': setting({
    env: 'AGENT_QUEUE_NO_RETRY_EXIT_CODES',
    flag: { spec: '--no-retry-exit-codes <list>', commands: 'worker' },
    commands: 'worker',
    schema: exitCodeList(),
    default: [] as number[],
    defaultText: 'none',
    help: 'comma-separated exit codes that fail a job for good (not retryable)',
  }),
  'http.host': setting({
    env: 'AGENT_QUEUE_HOST',
    flag: { spec: '--host <address>', commands: 'serve' },
    commands: 'serve',
    schema: z.string(),
    default: '127.0.0.1',
    defaultText: '`127.0.0.1`',
    help: 'bind address; loopback only until tokens exist',
  }),
  'http.port': setting({
    env: 'AGENT_QUEUE_PORT',
    flag: { spec: '--port <port>', commands: 'serve' },
    commands: 'serve',
    schema: port(),
    default: 8787,
    defaultText: '`8787`',
    help: 'port, 0 = any free one',
  }),
  'http.allowedHosts': setting({
    env: 'AGENT_QUEUE_ALLOWED_HOSTS',
    flag: { spec: '--allowed-hosts <list>', commands: 'serve' },
    commands: 'serve',
    schema: textList(),
    default: [] as string[],
    defaultText: 'none: loopback only',
    help: 'extra `Host` header names to accept',
  }),
  'http.allowedOrigins': setting({
    env: 'AGENT_QUEUE_ALLOWED_ORIGINS',
    flag: { spec: '--allowed-origins <list>', commands: 'serve' },
    commands: 'serve',
    schema: originList(),
    default: [] as string[],
    defaultText: 'none: loopback only',
    help: 'extra browser origins to accept',
  }),
};

export type SettingKey = keyof typeof SETTINGS;
export type SettingValues = { [K in SettingKey]: (typeof SETTINGS)[K]['default'] };
