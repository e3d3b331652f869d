// Fleet pause (SPEC §8): drain / quiesce / resume, with a monotonic version and an audit trail.
import type { PauseRecord, Store } from '../store/store.js';
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
import { toSystem } from './view.js';
import { retryOnConflict } from './cas.js';

export interface PauseAnswer {
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
 */
export function pauseNext(state: PauseRecord, metrics: QueueMetrics): string {
  if (!state.paused) return `Workers claim again; ${metrics.running} job(s) running.`;
  if (state.mode === 'quiesce') {
    return (
      `${metrics.running} running job(s) stop at their next checkpoint and keep heartbeating: they stay ` +
      'running, so the fleet does not drain while quiesced. Resume (no force needed) to let them continue.'
    );
  }
  return metrics.isDrained
    ? 'No job is running: the fleet is drained. Resume when you are done.'
    : `${metrics.running} running job(s) finish normally; the fleet is drained when metrics.isDrained is true. Resume after that (or with force to let workers claim while they finish).`;
}

export class PauseControl {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async state(): Promise<PauseRecord> {
    return this.store.pauseStateGet();
  }

  async metrics(): Promise<QueueMetrics> {
    const c = await this.store.jobCounts({ now: this.clock.now() });
    return { ...c, isDrained: c.running === 0 };
  }

  async status(raw: StatusInput = {}): Promise<StatusAnswer> {
    const input = parseInput(statusInput, raw, 'status');
    const [state, metrics, audit] = await Promise.all([
      this.state(),
      this.metrics(),
      this.store.controlEventsList({ limit: input.audit }),
    ]);
    return { system: toSystem(state), metrics, audit };
  }

  async pause(raw: PauseInput): Promise<PauseAnswer> {
    const input = parseInput(pauseInput, raw, 'pause');
    const actor = input.requestedBy ?? null;
    return retryOnConflict('The pause state', async () => {
      const cur = await this.state();
      if (cur.paused && cur.mode === input.mode && cur.reason === input.reason) {
        const metrics = await this.metrics();
        return { system: toSystem(cur), metrics, changed: false, next: pauseNext(cur, metrics) };
      }
      const next = await this.write(cur, { action: 'pause', mode: input.mode, reason: input.reason, actor });
      if (!next) return null;
      const metrics = await this.metrics();
      return { system: toSystem(next), metrics, changed: true, next: pauseNext(next, metrics) };
    });
  }

  async resume(raw: ResumeInput): Promise<PauseAnswer> {
    const input = parseInput(resumeInput, raw, 'resume');
    const actor = input.requestedBy ?? null;
    return retryOnConflict('The pause state', async () => {
      const cur = await this.state();
      if (!cur.paused) {
        throw new QueueError(
          'job_state_conflict',
          'Workers are not paused, so there is nothing to resume. Check `status` first.',
          {
            details: { system: toSystem(cur) },
          },
        );
      }
      const metrics = await this.metrics();
      // Quiesced jobs are held on purpose and meant to continue: only a drain waits for them to end.
      if (cur.mode === 'drain' && !metrics.isDrained && !input.force) {
        // Expiry is not processed while paused, so a job whose worker died stays running until resume.
        const stale =
          metrics.staleRunning > 0
            ? ` ${metrics.staleRunning} of them have expired leases (their workers stopped heartbeating) and will only be requeued after resume.`
            : '';
        throw new QueueError(
          'job_state_conflict',
          `${metrics.running} job(s) are still running, so the fleet is not drained yet.${stale} Wait until status shows isDrained: true, or resume with force: true to let workers claim again while those jobs finish.`,
          { details: { system: toSystem(cur), metrics }, hint: 'force_resume' },
        );
      }
      // The audit row keeps the mode that was lifted.
      const next = await this.write(cur, { action: 'resume', mode: cur.mode, reason: input.reason, actor });
      if (!next) return null;
      return { system: toSystem(next), metrics, changed: true, next: pauseNext(next, metrics) };
    });
  }

  /**
   * Compare-and-set on the state's version, with its audit row; null when another change landed
   * first. Waiting workers hear of it at once (best effort: they re-check on their own anyway).
   */
  private async write(
    cur: PauseRecord,
    change: Omit<ControlEvent, 'id' | 'at'>,
  ): Promise<PauseRecord | null> {
    const now = this.clock.now();
    const pausing = change.action === 'pause';
    const next = await this.store.pauseStateSet({
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
    });
    if (next) await this.store.notify({ kind: 'pause_changed', version: next.version }).catch(() => {});
    return next;
  }
}
