// Settings resolved once: flag ?? environment ?? default for every row of the table, then the
// checks that span settings, into one frozen object (River's Config.WithDefaults + validate,
// execa's normalizeOptions). A bad value stops the command with one line naming the setting.
import { DEFAULT_SETTINGS } from '../queue/settings.js';
import { databaseTarget } from './database.js';
import { settingError } from './error.js';
import {
  SCOPES,
  SETTINGS,
  type Commands,
  type Setting,
  type SettingKey,
  type SettingValues,
} from './table.js';
import type { Settings } from './types.js';

/** Flag values by setting key, as the command line gave them (see cli/setting-flags.ts). */
export type FlagValues = Partial<Record<SettingKey, string | number | undefined>>;

export interface LoadSettingsInput {
  flags?: FlagValues;
  env?: NodeJS.ProcessEnv;
  /** The command that runs (`mcp`, `serve`, `list`, …): settings only other commands read stay at their defaults, unread. */
  command?: string | undefined;
}

export function loadSettings(input: LoadSettingsInput = {}): Settings {
  const values = withDefaults(input);
  validate(values);
  return deepFreeze(assemble(values));
}

/** Does `command` read a setting (or take a flag) meant for `commands`? */
export const takes = (commands: Commands, command: string | undefined): boolean =>
  commands === 'all' || (command !== undefined && SCOPES[commands].includes(command));

/** How errors name a setting: one every command reads by its variable, a server's own by flag and variable. */
export const settingName = (row: Setting<unknown>): string =>
  row.flag && row.commands !== 'all' ? `${row.flag.spec.split(' ')[0]} / ${row.env}` : row.env;

const rows = () => Object.entries(SETTINGS) as unknown as [SettingKey, Setting<unknown>][];

function withDefaults({ flags = {}, env = process.env, command }: LoadSettingsInput): SettingValues {
  const values: Record<string, unknown> = {};
  for (const [key, row] of rows()) {
    const raw = takes(row.commands, command) ? (given(flags[key]) ?? given(env[row.env])) : undefined;
    values[key] = raw === undefined ? row.default : parse(row, raw);
  }
  return values as SettingValues;
}

// Blank counts as unset, so that `AGENT_QUEUE_TYPES=` in an env file means the default.
function given(raw: string | number | undefined): string | undefined {
  const text = raw === undefined ? undefined : String(raw);
  return text === undefined || text.trim() === '' ? undefined : text;
}

function parse(row: Setting<unknown>, raw: string): unknown {
  const res = row.schema.safeParse(raw);
  if (res.success) return res.data;
  throw settingError(settingName(row), res.error.issues[0]?.message ?? 'is not valid.');
}

/** The checks that span settings, once every value is known. */
function validate(v: SettingValues): void {
  const base = SETTINGS['queue.backoff.baseSeconds'];
  if (v['queue.backoff.capSeconds'] < v['queue.backoff.baseSeconds']) {
    throw settingError(
      settingName(SETTINGS['queue.backoff.capSeconds']),
      `must be at least ${base.env} (${v['queue.backoff.baseSeconds']}).`,
    );
  }
  // A non-loopback --host is allowed here: whether a token exists needs the database, so `serve`
  // decides it when it starts (src/http/bind.ts).
}

const bareHost = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

function assemble(v: SettingValues): Settings {
  const home = v['database.home'];
  const id = v['worker.id'];
  const types = v['worker.types'];
  return {
    database: {
      home,
      target: databaseTarget({
        url: v['database.url'],
        home,
        schema: v['database.schema'],
        sqliteDriver: v['database.sqliteDriver'],
      }),
    },
    queue: {
      ...DEFAULT_SETTINGS,
      defaultLeaseSeconds: v['queue.defaultLeaseSeconds'],
      defaultMaxAttempts: v['queue.defaultMaxAttempts'],
      backoff: {
        ...DEFAULT_SETTINGS.backoff,
        baseSeconds: v['queue.backoff.baseSeconds'],
        capSeconds: v['queue.backoff.capSeconds'],
      },
      payloadLimitBytes: v['queue.payloadLimitBytes'],
      retentionDays: v['queue.retentionDays'],
    },
    log: { level: v['log.level'] },
    mcp: { tools: v['mcp.tools'], toolNames: v['mcp.toolNames'] },
    http: {
      host: bareHost(v['http.host']),
      port: v['http.port'],
      origins: { allowedHosts: v['http.allowedHosts'], allowedOrigins: v['http.allowedOrigins'] },
      maxSessions: v['http.maxSessions'],
    },
    runtime: {
      concurrency: v['worker.concurrency'],
      leaseSeconds: v['worker.leaseSeconds'],
      cancelGraceSeconds: v['worker.cancelGraceSeconds'],
      shutdownGraceSeconds: v['worker.shutdownGraceSeconds'],
      noRetryExitCodes: v['worker.noRetryExitCodes'],
    },
    remote: {
      ...(v['remote.server'] ? { server: v['remote.server'] } : {}),
      ...(v['remote.token'] ? { token: v['remote.token'] } : {}),
    },
    scope: v['scope.queue'] ? { queue: v['scope.queue'] } : {},
    worker: {
      ...(id ? { id } : {}),
      capabilities: v['worker.capabilities'],
      ...(types ? { types } : {}),
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
