// The queue's own tunables (SPEC §15), read by every command.
import { DEFAULT_SETTINGS } from '../../queue/settings.js';
import { wholeNumber } from '../kinds.js';
import { setting, type Setting } from '../setting.js';

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

export const QUEUE_SETTINGS = {
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
};
