// The queue as seen through a remote `serve`: the worker's port (claim, heartbeat, complete, fail,
// ackCancel, log, watchJob) and what the MCP server's tools call, each one REST request. It is the
// in-process QueueService's stand-in for a machine that may not reach the database: the rules stay
// on the server, so both sides answer alike. Long-polls pass their wait to the server and report
// `onWaiting` from here, as the service does in-process.
import type {
  ClaimAnswer,
  HeartbeatAnswer,
  HeldAnswer,
  Job,
  JobEvent,
  JobPage,
  StatusAnswer,
} from '../core/types.js';
import { waitClaimAnswer } from '../queue/view.js';
import type {
  ClaimOptions,
  GetAnswer,
  GraphAnswer,
  HeartbeatOptions,
  WaitAnswer,
  WaitOptions,
} from '../queue/service.js';
import type { ReleaseAnswer } from '../queue/release.js';
import type * as S from '../queue/schemas.js';
import type { WorkerPort } from '../queue/worker-port.js';
import type { PauseAnswer } from '../queue/control.js';
import { RestClient, type RestClientOptions } from './rest-client.js';

const JOBS = '/api/queue/jobs';
const job = (id: string, action = '') => `${JOBS}/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
/** A long-poll reports that it still waits this often (MCP progress notifications). */
const WAITING_REPORT_MS = 5_000;

type Input = Record<string, unknown>;

/** The input without jobId: the path carries it. */
const rest = ({ jobId: _jobId, ...body }: { jobId: string } & Input): Input => body;

export class RemoteQueue implements WorkerPort {
  readonly client: RestClient;
  /** Pause and status, under the name the service gives them. */
  readonly control: {
    pause(input: S.PauseInput): Promise<PauseAnswer>;
    resume(input: S.ResumeInput): Promise<PauseAnswer>;
    status(input?: S.StatusInput): Promise<StatusAnswer>;
  };

  constructor(opts: RestClientOptions) {
    this.client = new RestClient(opts);
    const post = <T>(input: Input) => this.client.request<T>('POST', '/api/system/worker-pause', { input });
    this.control = {
      pause: (input) => post<PauseAnswer>({ paused: true, ...input }),
      resume: (input) => post<PauseAnswer>({ paused: false, ...input }),
      status: (input = {}) =>
        this.client.request<StatusAnswer>('GET', '/api/system/worker-pause', { input: input as Input }),
    };
  }

  // ── the worker's port ──────────────────────────────────────────────────────────────────────
  async claim(input: S.ClaimInput, opts: ClaimOptions = {}): Promise<ClaimAnswer> {
    const holdSeconds = Number(input.waitSeconds ?? 0);
    const answer = await waiting(holdSeconds, opts.onWaiting, () =>
      this.client.request<ClaimAnswer>('POST', `${JOBS}/claim`, {
        input: input as Input,
        signal: opts.signal,
        holdSeconds,
      }),
    );
    if (opts.signal?.aborted && answer.job && answer.lease) {
      // The answer came as the caller left (a worker stopping): nobody would hold this lease. Hand
      // the job back, as the service does in-process; if that fails too, the lease expires.
      const reason = typeof opts.signal.reason === 'string' ? opts.signal.reason : 'caller_gone';
      await this.release({ jobId: answer.job.id, leaseToken: answer.lease.token, reason }).catch(() => {});
      return waitClaimAnswer(answer.system);
    }
    opts.onSystem?.(answer.system);
    return answer;
  }
  heartbeat(input: S.HeartbeatInput, opts: HeartbeatOptions = {}): Promise<HeartbeatAnswer> {
    const holdSeconds = Number(input.waitSeconds ?? 0);
    return waiting(holdSeconds, opts.onWaiting, () =>
      this.client.request<HeartbeatAnswer>('POST', job(input.jobId, 'heartbeat'), {
        input: rest(input),
        signal: opts.signal,
        holdSeconds,
      }),
    );
  }
  complete(input: S.CompleteInput): Promise<{ job: Job }> {
    return this.client.request('POST', job(input.jobId, 'complete'), { input: rest(input) });
  }
  fail(input: S.FailInput): Promise<{ job: Job }> {
    return this.client.request('POST', job(input.jobId, 'fail'), { input: rest(input) });
  }
  ackCancel(input: S.AckCancelInput): Promise<{ job: Job }> {
    return this.client.request('POST', job(input.jobId, 'cancel/ack'), { input: rest(input) });
  }
  log(input: S.LogInput): Promise<{ written: number }> {
    return this.client.request('POST', job(input.jobId, 'log'), { input: rest(input) });
  }
  async watchJob(
    jobId: string,
    opts: { timeoutMs: number; signal?: AbortSignal; pauseVersion?: number },
  ): Promise<boolean> {
    // The server holds a watch at most 50 s; a longer one simply ends early with "nothing yet".
    const timeoutSeconds = Math.min(50, Math.max(0, Math.ceil(opts.timeoutMs) / 1000));
    const answer = await this.client.request<{ changed: boolean }>('POST', job(jobId, 'watch'), {
      input: {
        timeoutSeconds,
        ...(opts.pauseVersion !== undefined ? { pauseVersion: opts.pauseVersion } : {}),
      },
      signal: opts.signal,
      holdSeconds: timeoutSeconds,
    });
    return answer.changed;
  }

  // ── what an MCP server's tools call ────────────────────────────────────────────────────────
  release(input: S.ReleaseInput): Promise<ReleaseAnswer> {
    return this.client.request('POST', job(input.jobId, 'release'), { input: rest(input) });
  }
  /** With a token, the server answers for the token's name whatever workerId says. */
  held(input: S.HeldInput): Promise<HeldAnswer> {
    return this.client.request('GET', '/api/queue/held', { input: input as Input });
  }
  enqueue(input: S.EnqueueInput): Promise<{ job: Job; deduplicated: boolean }> {
    return this.client.request('POST', JOBS, { input: input as Input });
  }
  enqueueGraph(input: S.EnqueueGraphInput): Promise<GraphAnswer> {
    return this.client.request('POST', `${JOBS}/graph`, { input: input as Input });
  }
  wait(input: S.WaitInput, opts: Omit<WaitOptions, 'until'> = {}): Promise<WaitAnswer> {
    const holdSeconds = Number(input.waitSeconds ?? 50);
    return waiting(holdSeconds, opts.onWaiting, () =>
      this.client.request<WaitAnswer>('GET', job(input.jobId, 'wait'), {
        input: rest(input),
        signal: opts.signal,
        holdSeconds,
      }),
    );
  }
  cancel(input: S.CancelInput): Promise<{ job: Job }> {
    return this.client.request('POST', job(input.jobId, 'cancel'), { input: rest(input) });
  }
  get(input: S.GetInput): Promise<GetAnswer> {
    return this.client.request('GET', job(input.jobId), { input: rest(input) });
  }
  list(input: S.ListInput = {}): Promise<JobPage> {
    return this.client.request('GET', JOBS, { input: input as Input });
  }
  events(input: S.EventsInput): Promise<{ events: JobEvent[] }> {
    return this.client.request('GET', job(input.jobId, 'events'), { input: rest(input) });
  }
}

/** Runs a long-poll request, calling `onWaiting` every few seconds while it is held. */
async function waiting<T>(
  holdSeconds: number,
  onWaiting: ((waited: number, total: number) => void) | undefined,
  call: () => Promise<T>,
): Promise<T> {
  if (!onWaiting || holdSeconds <= 0) return call();
  const started = performance.now();
  const timer = setInterval(() => {
    onWaiting(Math.round((performance.now() - started) / 1000), holdSeconds);
  }, WAITING_REPORT_MS);
  try {
    return await call();
  } finally {
    clearInterval(timer);
  }
}
