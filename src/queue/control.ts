// Pauses (SPEC §8): drain / quiesce / resume of the fleet, or of one named queue (docs/queues.md),
// each with a monotonic version and an audit trail.
import type { PauseRecord, QueuePauseRecord, Store } from '../store/store.js';
import type { Clock } from './clock.js';
import { QueueError } from '../core/errors.js';
import { parseInput } from './validate.js';
import {
  pauseInput,
  resumeInput,
  statusInput,
  type PauseInput,
  type ResumeInput,
  type StatusInput,
} from './schemas.js';
import type { ControlEvent, QueueMetrics, StatusAnswer, SystemBlock } from '../core/types.js';
import { pauseBlock, toSystem } from './view.js';
import { retryOnConflict } from './cas.js';

export interface JobPauses {
  fleet: PauseRecord;
  own: QueuePauseRecord | null;
}

/**
 * A holder stops at its checkpoint when either pause that applies is a quiesce: a quiesce of its
 * queue still holds while the fleet merely drains (the `system` block then shows the fleet's).
 */
export const quiesced = ({ fleet, own }: JobPauses): boolean =>
  (fleet.paused && fleet.mode === 'quiesce') || (own !== null && own.paused && own.mode === 'quiesce');

export interface PauseAnswer {
  /** The pause this call asked about: the fleet's, or the named queue's. */
  system: SystemBlock;
  metrics: QueueMetrics;
  /** false when the call asked for the state that already held (a no-op). */
  changed: boolean;
  /** What happens next to the running jobs and how to end the pause, true for this mode. */
  next: string;
}

/**
 * What an operator can expect after a pause or resume. Quiesced jobs keep heartbeating and count
 * as running, so under quiesce the fleet never drains: waiting for isDrained would never end.
 * `queue` names the paused queue (metrics then count its jobs only); absent: the fleet.
 */
export function pauseNext(state: PauseRecord, metrics: QueueMetrics, queue?: string): string {
  const what = queue === undefined ? 'the fleet' : `queue "${queue}"`;
  if (!state.paused) return `Workers claim again; ${metrics.running} job(s) running.`;
  if (state.mode === 'quiesce') {
    return (
      `${metrics.running} running job(s) stop at their next checkpoint and keep heartbeating: they stay ` +
      `running, so ${what} does not drain while quiesced. Resume (no force needed) to let them continue.`
    );
  }
  return metrics.isDrained
    ? `No job is running: ${what} is drained. Resume when you are done.`
    : `${metrics.running} running job(s) finish normally; ${what} is drained when metrics.isDrained is true. Resume after that (or with force to let workers claim while they finish).`;
}

/** A pause being changed: the fleet's (queue undefined) or one queue's, as it stands now. */
interface Target {
  queue: string | undefined;
  cur: PauseRecord;
}

// A queue never paused has no row: not paused, version 0. Its block in status is null instead.
const NEVER_PAUSED = (now: Date): PauseRecord => ({
  paused: false,
  mode: null,
  reason: null,
  requestedBy: null,
  requestedAt: null,
  updatedAt: now,
  version: 0,
});

export class PauseControl {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The fleet's pause. */
  async state(): Promise<PauseRecord> {
    return this.store.pauseStateGet();
  }

  /** The `system` block for a claimer of `queue` (absent: the fleet's pause only). */
  async system(queue?: string): Promise<SystemBlock> {
    if (queue === undefined) return toSystem(await this.state());
    const [fleet, own] = await Promise.all([this.state(), this.store.queuePauseGet({ queue })]);
    return toSystem(fleet, own);
  }

  /** The pauses that apply to the holder of this job: the fleet's and its own queue's (null: never paused). */
  async ofJob(jobId: string): Promise<JobPauses> {
    const [fleet, own] = await Promise.all([this.state(), this.store.queuePauseGet({ jobId })]);
    return { fleet, own };
  }

  /** Counts of one queue (the drained figure of its pause), or of every queue. */
  async metrics(queue?: string): Promise<QueueMetrics> {
    const c = await this.store.jobCounts({
      now: this.clock.now(),
      ...(queue !== undefined ? { queue } : {}),
    });
    return { ...c, isDrained: c.running === 0 };
  }

  async status(raw: StatusInput = {}): Promise<StatusAnswer> {
    const input = parseInput(statusInput, raw, 'status');
    const queue = input.queue;
    const [fleet, own, metrics, audit] = await Promise.all([
      this.state(),
      queue === undefined ? null : this.store.queuePauseGet({ queue }),
      this.metrics(queue),
      this.store.controlEventsList({ limit: input.audit, ...(queue !== undefined ? { queue } : {}) }),
    ]);
    if (queue === undefined) return { system: toSystem(fleet), metrics, audit };
    const pauses = { fleet: pauseBlock(fleet), queue: own ? pauseBlock(own, queue) : null };
    return { system: toSystem(fleet, own), pauses, metrics, audit };
  }

  async pause(raw: PauseInput): Promise<PauseAnswer> {
    const input = parseInput(pauseInput, raw, 'pause');
    const actor = input.requestedBy ?? null;
    return retryOnConflict('The pause state', async () => {
      const target = await this.target(input.queue);
      const { cur, queue } = target;
      if (cur.paused && cur.mode === input.mode && cur.reason === input.reason) {
        const metrics = await this.metrics(queue);
        return { system: blockOf(target), metrics, changed: false, next: pauseNext(cur, metrics, queue) };
      }
      const next = await this.write(target, {
        action: 'pause',
        mode: input.mode,
        reason: input.reason,
        actor,
      });
      if (!next) return null;
      const metrics = await this.metrics(queue);
      const answer = { queue, cur: next };
      return { system: blockOf(answer), metrics, changed: true, next: pauseNext(next, metrics, queue) };
    });
  }

  async resume(raw: ResumeInput): Promise<PauseAnswer> {
    const input = parseInput(resumeInput, raw, 'resume');
    const actor = input.requestedBy ?? null;
    return retryOnConflict('The pause state', async () => {
      const target = await this.target(input.queue);
      const { cur, queue } = target;
      const what = queue === undefined ? 'the fleet' : `queue "${queue}"`;
      if (!cur.paused) {
        throw new QueueError(
          'job_state_conflict',
          queue === undefined
            ? 'Workers are not paused, so there is nothing to resume. Check `status` first.'
            : `Queue "${queue}" is not paused, so there is nothing to resume. Check \`status\` with this queue first (a fleet pause is resumed without a queue).`,
          { details: { system: blockOf(target) } },
        );
      }
      const metrics = await this.metrics(queue);
      // Quiesced jobs are held on purpose and meant to continue: only a drain waits for them to end.
      if (cur.mode === 'drain' && !metrics.isDrained && !input.force) {
        // Expiry is not processed while paused, so a job whose worker died stays running until resume.
        const stale =
          metrics.staleRunning > 0
            ? ` ${metrics.staleRunning} of them have expired leases (their workers stopped heartbeating) and will only be requeued after resume.`
            : '';
        throw new QueueError(
          'job_state_conflict',
          `${metrics.running} job(s) are still running, so ${what} is not drained yet.${stale} Wait until status shows isDrained: true, or resume with force: true to let workers claim again while those jobs finish.`,
          { details: { system: blockOf(target), metrics }, hint: 'force_resume' },
        );
      }
      // The audit row keeps the mode that was lifted.
      const next = await this.write(target, {
        action: 'resume',
        mode: cur.mode,
        reason: input.reason,
        actor,
      });
      if (!next) return null;
      const answer = { queue, cur: next };
      return { system: blockOf(answer), metrics, changed: true, next: pauseNext(next, metrics, queue) };
    });
  }

  private async target(queue: string | undefined): Promise<Target> {
    if (queue === undefined) return { queue, cur: await this.state() };
    const own = await this.store.queuePauseGet({ queue });
    return { queue, cur: own ?? NEVER_PAUSED(this.clock.now()) };
  }

  /**
   * Compare-and-set on the state's version, with its audit row; null when another change landed
   * first. Waiting workers hear of it at once (best effort: they re-check on their own anyway).
   */
  private async write(
    { queue, cur }: Target,
    change: Omit<ControlEvent, 'id' | 'at' | 'queue'>,
  ): Promise<PauseRecord | QueuePauseRecord | null> {
    const now = this.clock.now();
    const pausing = change.action === 'pause';
    const set = {
      expectVersion: cur.version,
      next: {
        paused: pausing,
        mode: pausing ? change.mode : null,
        reason: pausing ? change.reason : null,
        requestedBy: change.actor,
        requestedAt: now,
        updatedAt: now,
      },
      audit: { ...change, at: now.toISOString() },
    };
    const next =
      queue === undefined
        ? await this.store.pauseStateSet(set)
        : await this.store.queuePauseSet({ ...set, queue });
    const signal = { kind: 'pause_changed' as const, version: next?.version ?? 0 };
    if (next) await this.store.notify(queue === undefined ? signal : { ...signal, queue }).catch(() => {});
    return next;
  }
}

/** The block of the pause a call changed (or found as asked): its own, not the one that applies. */
const blockOf = ({ queue, cur }: Target): SystemBlock => pauseBlock(cur, queue);
