// Human renderings of the queue's answers, shared by the commands that show jobs and fleet state.
import type { ControlEvent, Job, JobEvent, JobSummary, StatusAnswer, SystemBlock } from '../core/types.js';
import { fields, indent, prettyJson, table, when } from './format.js';

export function jobsTable(jobs: JobSummary[]): string {
  return table(
    ['ID', 'TYPE', 'STATUS', 'PRI', 'ATTEMPT', 'CREATED', 'CLAIMED BY'],
    jobs.map((j) => [
      j.id,
      j.type,
      j.status,
      j.priority,
      `${j.attempt}/${j.maxAttempts}`,
      when(j.createdAt),
      j.claimedBy,
    ]),
  );
}

export function timeline(events: JobEvent[]): string {
  return table(
    ['#', 'AT', 'LEVEL', 'KIND', 'ATTEMPT', 'MESSAGE'],
    events.map((e) => [e.id, when(e.at), e.level, e.kind, e.attempt, e.message]),
  );
}

function statusText(j: Job): string {
  if (j.status === 'running' && j.cancelRequestedAt) return 'running (cancellation requested)';
  return j.status;
}

export function jobDetail(j: Job): string {
  const progress =
    j.progress !== null || j.progressMessage
      ? [j.progress !== null ? `${j.progress}%` : null, j.progressMessage].filter(Boolean).join(' ')
      : null;
  const cancel = j.cancelRequestedAt
    ? `${when(j.cancelRequestedAt)} by ${j.cancelRequestedBy ?? 'unknown'}${j.cancelReason ? `: ${j.cancelReason}` : ''}`
    : null;
  const parts = [
    fields([
      ['id', j.id],
      ['type', j.type],
      ['queue', j.queue],
      ['status', statusText(j)],
      ['priority', j.priority],
      ['attempt', `${j.attempt}/${j.maxAttempts}`],
      ['capabilities', j.requiredCapabilities.join(', ')],
      ['dedupe key', j.dedupeKey],
      ['concurrency key', j.concurrencyKey],
      ['run at', when(j.runAt)],
      ['claimed by', j.claimedBy],
      ['lease expires', when(j.leaseExpiresAt)],
      ['progress', progress],
      ['cancel', cancel],
      ['error', j.errorMessage],
      ['summary', j.resultSummary],
      ['created', `${when(j.createdAt)}${j.createdBy ? ` by ${j.createdBy}` : ''}`],
      ['started', when(j.startedAt)],
      ['finished', when(j.finishedAt)],
      ['updated', when(j.updatedAt)],
    ]),
    `payload\n${indent(prettyJson(j.payload))}`,
  ];
  if (j.result !== null && j.result !== undefined) parts.push(`result\n${indent(prettyJson(j.result))}`);
  return parts.join('\n');
}

export function pauseText(s: SystemBlock): string {
  if (!s.workersPaused) return `not paused (version ${s.version})`;
  const by = s.requestedBy ? ` by ${s.requestedBy}` : '';
  const at = s.requestedAt ? ` at ${when(s.requestedAt)}` : '';
  return `paused (${s.mode}): ${s.reason ?? ''}${by}${at} (version ${s.version})`;
}

function auditTable(audit: ControlEvent[]): string {
  // A QUEUE column only once a named queue was paused: until then every row is the fleet's.
  if (audit.some((a) => a.queue !== undefined)) {
    return table(
      ['AT', 'QUEUE', 'ACTION', 'MODE', 'ACTOR', 'REASON'],
      audit.map((a) => [when(a.at), a.queue ?? '(fleet)', a.action, a.mode, a.actor, a.reason]),
    );
  }
  return table(
    ['AT', 'ACTION', 'MODE', 'ACTOR', 'REASON'],
    audit.map((a) => [when(a.at), a.action, a.mode, a.actor, a.reason]),
  );
}

/** With a queue (status --queue): which pause applies, then each of the two on its own. */
function pauseLines(s: StatusAnswer): [string, string | null][] {
  if (!s.pauses) return [['workers', pauseText(s.system)]];
  const applies = s.system.scope === 'queue' ? " (the queue's own pause)" : '';
  return [
    ['workers', `${pauseText(s.system)}${applies}`],
    ['fleet pause', pauseText(s.pauses.fleet)],
    ['queue pause', s.pauses.queue ? pauseText(s.pauses.queue) : 'never paused'],
  ];
}

export function statusView(s: StatusAnswer): string {
  const m = s.metrics;
  const lines = [
    fields([
      ...pauseLines(s),
      [
        'jobs',
        `queued ${m.queued}  delayed ${m.delayed}  blocked ${m.blocked}  running ${m.running}  staleRunning ${m.staleRunning}  isDrained ${m.isDrained}`,
      ],
    ]),
  ];
  lines.push(
    s.audit.length > 0
      ? `audit (latest first)\n${indent(auditTable(s.audit))}`
      : 'audit: no pause or resume yet',
  );
  return lines.join('\n');
}
