// What the fuzz knows about the queue it is hammering: jobs it saw and leases it holds, so that valid
// calls (and hostile variations of them) reach real rows instead of stopping at not_found.
import type { Rng } from './fuzz-values.js';

const NO_JOB = '00000000-0000-7000-8000-000000000000';

export class FuzzState {
  readonly jobs: string[] = [];
  readonly held: { jobId: string; token: string }[] = [];
  private enqueued = 0;

  /** A real job id, for hostile values that should look almost right. */
  real = (): string | undefined => this.jobs.at(-1);

  validArgs(r: Rng, tool: string): Record<string, unknown> {
    const jobId = () => (this.jobs.length > 0 ? r.pick(this.jobs) : NO_JOB);
    const lease = () => (this.held.length > 0 ? r.pick(this.held) : { jobId: jobId(), token: 'no-lease' });
    switch (tool.replace(/^queue[._]/, '')) {
      case 'enqueue':
        return {
          type: r.pick(['fz.a', 'fz.b']),
          payload: { n: ++this.enqueued },
          priority: r.int(-5, 5),
          ...(r.chance(0.2) ? { dedupeKey: `k${r.int(1, 5)}` } : {}),
        };
      case 'submit':
        return { type: r.pick(['fz.a', 'fz.b']), payload: { n: ++this.enqueued } };
      case 'wait':
        // Not 50 (the default): a job of the fuzz rarely ends, and every call would wait it out.
        return { jobId: jobId(), waitSeconds: 0 };
      case 'claim':
        return { leaseSeconds: 600 };
      case 'heartbeat': {
        const l = lease();
        return { jobId: l.jobId, leaseToken: l.token, progress: r.int(0, 100), message: 'working' };
      }
      case 'complete': {
        const l = lease();
        return { jobId: l.jobId, leaseToken: l.token, result: { ok: true }, resultSummary: 'done' };
      }
      case 'fail': {
        const l = lease();
        return { jobId: l.jobId, leaseToken: l.token, error: 'boom', retryable: r.chance(0.5) };
      }
      case 'ack_cancel': {
        const l = lease();
        return { jobId: l.jobId, leaseToken: l.token };
      }
      case 'cancel':
        return { jobId: jobId(), reason: 'fuzz' };
      case 'get':
        return { jobId: jobId(), events: 3 };
      case 'list':
        return { limit: 10 };
      case 'pause':
        return { mode: r.pick(['drain', 'quiesce']), reason: 'fuzz' };
      case 'resume':
        return { reason: 'fuzz', force: true };
      case 'status':
        return { audit: 3 };
      case 'held':
        return {};
      default:
        throw new Error(`no valid arguments known for ${tool}`);
    }
  }

  /** Keeps track of new jobs and leases from an accepted call. */
  learn(tool: string, args: unknown, body: Record<string, unknown>): void {
    const base = tool.replace(/^queue[._]/, '');
    const job = body.job as { id?: string } | null | undefined;
    const lease = body.lease as { token?: string } | null | undefined;
    if (base === 'enqueue' && job?.id && !this.jobs.includes(job.id)) this.jobs.push(job.id);
    if (base === 'claim' && job?.id && lease?.token) this.held.push({ jobId: job.id, token: lease.token });
    if (['complete', 'fail', 'ack_cancel'].includes(base)) this.drop(args);
  }

  /** A lease the server says is gone is not worth using again. */
  forget(_tool: string, args: unknown, code: string): void {
    if (code === 'lease_lost') this.drop(args);
  }

  private drop(args: unknown): void {
    const jobId = (args as { jobId?: unknown } | null)?.jobId;
    const k = this.held.findIndex((l) => l.jobId === jobId);
    if (k !== -1) this.held.splice(k, 1);
  }
}
