// The REST API of SPEC §11, as data: each route names its shared input schema, its permission and a
// handler that only calls the service. Routing and /api/openapi.json are both made from this list.
import { z } from 'zod';
import * as S from '../../queue/schemas.js';
import * as Out from '../../core/answer-shapes.js';
import { QueueError } from '../../core/errors.js';
import type { RestRoute } from './route.js';
import { eventStream } from './event-stream.js';
import { workerPauseInput } from './pause-body.js';
import { actedBy, claimAs } from './caller.js';
import { REMOTE_ROUTES } from './routes-remote.js';
import { LIMIT_ROUTES } from './routes-limits.js';
import { SCHEDULE_ROUTES } from './routes-schedules.js';
import { afterPendingIo } from '../../core/pending-io.js';

const JOBS = '/api/queue/jobs';
const JOB = `${JOBS}/{id}`;

const obj = (shape: z.ZodRawShape) => z.looseObject(shape);

const SPEC_ROUTES: RestRoute[] = [
  {
    method: 'POST',
    path: JOBS,
    operationId: 'enqueue',
    summary: 'Enqueue a job (201; 200 with deduplicated: true when an unfinished job holds its dedupeKey).',
    permission: 'produce',
    input: S.enqueueInput,
    output: obj(Out.enqueueAnswer),
    handler: ({ service, input, c }) => service.enqueue(actedBy(c, input, 'createdBy') as S.EnqueueInput),
    status: (a) => ((a as { deduplicated: boolean }).deduplicated ? 200 : 201),
  },
  {
    method: 'POST',
    path: `${JOBS}/graph`,
    operationId: 'enqueueGraph',
    summary:
      'Enqueue up to 20 jobs in one transaction (201), each named by a ref; dependsOn takes refs of the call or job ids.',
    permission: 'produce',
    input: S.enqueueGraphInput,
    output: obj(Out.graphAnswer),
    handler: ({ service, input, c }) => {
      const { jobs } = input as { jobs?: unknown };
      // Each job is acted by the caller, as a single enqueue is; the service refuses a body without jobs.
      const acted = Array.isArray(jobs) ? jobs.map((j) => actedBy(c, j as never, 'createdBy')) : jobs;
      return service.enqueueGraph({ ...input, jobs: acted } as S.EnqueueGraphInput);
    },
    status: () => 201,
  },
  {
    method: 'GET',
    path: JOBS,
    operationId: 'list',
    summary: 'List jobs, newest first; filter by queue, status, type, claimedBy; page with nextCursor.',
    permission: 'read',
    input: S.listInput,
    output: obj(Out.listAnswer),
    handler: ({ service, input }) => service.list(input as S.ListInput),
  },
  {
    method: 'POST',
    path: `${JOBS}/claim`,
    operationId: 'claim',
    summary: 'Claim the best matching job; waitSeconds (≤ 50) long-polls until one comes.',
    permission: 'work',
    input: S.claimInput,
    output: obj(Out.claimAnswer),
    handler: ({ service, input, signal, c, serverTypes }) => {
      const claim = claimAs(c, input, serverTypes);
      // A long-poll whose client hung up as the job came in (an MCP host gone behind `mcp --server`):
      // let that close be read before the last check, so the job is released, not answered to nobody.
      return service.claim(claim.input, { signal, beforeAnswer: afterPendingIo, ...claim.scope });
    },
  },
  {
    method: 'POST',
    path: `${JOBS}/claim-batch`,
    operationId: 'claimBatch',
    summary:
      'Claim up to `limit` (≤ 100) matching jobs at once, each with its own lease; waitSeconds long-polls for the first.',
    permission: 'work',
    input: S.claimBatchInput,
    output: obj(Out.claimBatchAnswer),
    handler: ({ service, input, signal, c, serverTypes }) => {
      const claim = claimAs(c, input, serverTypes);
      return service.claimBatch(claim.input as S.ClaimBatchInput, {
        signal,
        beforeAnswer: afterPendingIo,
        ...claim.scope,
      });
    },
  },
  {
    method: 'POST',
    path: `${JOBS}/complete-batch`,
    operationId: 'completeBatch',
    summary:
      'Complete many held jobs at once (items as complete takes them, ≤ 100): one result, the job or its error, per item in order.',
    permission: 'work',
    input: S.completeBatchInput,
    output: obj(Out.completeBatchAnswer),
    handler: ({ service, input }) => service.completeBatch(input as S.CompleteBatchInput),
  },
  {
    method: 'GET',
    path: JOB,
    operationId: 'get',
    summary:
      "One job in full; events=N adds its latest N events, dependencies=true its dependencies' states and results.",
    permission: 'read',
    input: S.getInput,
    output: obj(Out.getAnswer),
    handler: ({ service, input }) => service.get(input as S.GetInput),
  },
  {
    method: 'GET',
    path: `${JOB}/events`,
    operationId: 'events',
    summary: "A job's timeline, oldest first: events with an id greater than `after`.",
    permission: 'read',
    input: S.eventsInput,
    output: obj({ events: z.array(z.looseObject({ id: z.number(), kind: z.string() })) }),
    handler: ({ service, input }) => service.events(input as S.EventsInput),
  },
  {
    method: 'GET',
    path: `${JOB}/events/stream`,
    operationId: 'eventStream',
    summary:
      "A job's timeline as Server-Sent Events, live; resumes after Last-Event-ID (or ?after=); ends with event `end` once the job finished.",
    permission: 'read',
    input: S.eventsInput.pick({ jobId: true, after: true }),
    stream: true,
    handler: eventStream,
  },
  {
    method: 'POST',
    path: `${JOB}/heartbeat`,
    operationId: 'heartbeat',
    summary: 'Extend the lease, report progress; the answer says what to do next (action).',
    permission: 'work',
    input: S.heartbeatInput,
    output: obj(Out.heartbeatAnswer),
    handler: ({ service, input, signal }) => service.heartbeat(input as S.HeartbeatInput, { signal }),
  },
  {
    method: 'POST',
    path: `${JOB}/complete`,
    operationId: 'complete',
    summary: 'Finish the job you hold with its result.',
    permission: 'work',
    input: S.completeInput,
    output: obj(Out.jobAnswer),
    handler: ({ service, input }) => service.complete(input as S.CompleteInput),
  },
  {
    method: 'POST',
    path: `${JOB}/fail`,
    operationId: 'fail',
    summary: 'Fail the job you hold; retryable (default true) requeues it while attempts remain.',
    permission: 'work',
    input: S.failInput,
    output: obj(Out.jobAnswer),
    handler: ({ service, input }) => service.fail(input as S.FailInput),
  },
  {
    method: 'POST',
    path: `${JOB}/cancel`,
    operationId: 'cancel',
    summary: 'Cancel a job: queued ends at once; running is asked to stop (cancel requested).',
    permission: 'produce',
    input: S.cancelInput,
    output: obj(Out.jobAnswer),
    handler: ({ service, input, c }) => service.cancel(actedBy(c, input, 'requestedBy') as S.CancelInput),
  },
  {
    method: 'POST',
    path: `${JOB}/cancel/ack`,
    operationId: 'ackCancel',
    summary: 'Acknowledge a cancel request on the job you hold: it ends as cancelled.',
    permission: 'work',
    input: S.ackCancelInput,
    output: obj(Out.jobAnswer),
    handler: ({ service, input }) => service.ackCancel(input as S.AckCancelInput),
  },
  {
    method: 'GET',
    path: '/api/system/worker-pause',
    operationId: 'status',
    summary:
      'The fleet (or ?queue=): pause state (system), metrics (queued, delayed, blocked, running, staleRunning, isDrained), audit.',
    permission: 'read',
    input: S.statusInput,
    output: obj(Out.statusAnswer),
    handler: ({ service, input }) => service.control.status(input as S.StatusInput),
  },
  {
    method: 'POST',
    path: '/api/system/worker-pause',
    operationId: 'pauseOrResume',
    summary:
      '{paused: true, mode, reason} pauses the fleet (drain or quiesce); {paused: false, reason, force?} resumes it; with queue, that named queue only.',
    permission: 'operate',
    input: workerPauseInput,
    output: obj(Out.pauseAnswer),
    handler: ({ service, input, c }) => {
      const { paused, ...rest } = actedBy(c, input, 'requestedBy');
      if (paused === true) return service.control.pause(rest as S.PauseInput);
      if (paused === false) return service.control.resume(rest as S.ResumeInput);
      throw new QueueError(
        'invalid_argument',
        'Invalid worker-pause arguments: paused must be true (pause, with mode and reason) or false (resume, with reason).',
      );
    },
  },
];

/**
 * Every route: SPEC §11's, then what remote workers and MCP servers use (routes-remote.ts), then
 * concurrency-key limits (routes-limits.ts), recurring jobs (routes-schedules.ts).
 */
export const ROUTES: RestRoute[] = [...SPEC_ROUTES, ...REMOTE_ROUTES, ...LIMIT_ROUTES, ...SCHEDULE_ROUTES];
