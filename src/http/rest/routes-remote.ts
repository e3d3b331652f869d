// Routes beyond SPEC §11 that let a machine without database access join the fleet through serve:
// `agent-queue worker --server` (log lines, push wake-ups) and `agent-queue mcp --server` (what a
// worker holds, a producer's wait, handing back an undelivered claim). Same rules as every route:
// the shared schema, the permission, and a handler that only calls the service.
import { z } from 'zod';
import * as S from '../../queue/schemas.js';
import * as Out from '../../core/answer-shapes.js';
import type { RestRoute } from './route.js';
import { principalOf } from '../auth.js';

const JOB = '/api/queue/jobs/{id}';
const obj = (shape: z.ZodRawShape) => z.looseObject(shape);

export const REMOTE_ROUTES: RestRoute[] = [
  {
    method: 'POST',
    path: `${JOB}/log`,
    operationId: 'log',
    summary: 'Append output lines of the job you hold to its timeline (one `log` event).',
    permission: 'work',
    input: S.logInput,
    output: obj({ written: z.number() }),
    handler: ({ service, input }) => service.log(input as S.LogInput),
  },
  {
    method: 'POST',
    path: `${JOB}/watch`,
    operationId: 'watch',
    summary:
      'Held until the job may need its holder (a cancel request, its end) or the pause state moved past pauseVersion; changed: false after timeoutSeconds (≤ 50). Then heartbeat to learn what to do.',
    permission: 'work',
    input: S.watchInput,
    output: obj({ changed: z.boolean() }),
    handler: ({ service, input, signal }) => service.watch(input as S.WatchInput, { signal }),
  },
  {
    method: 'GET',
    path: '/api/queue/held',
    operationId: 'held',
    summary:
      'The running jobs a worker id holds, with their lease tokens; with a token, always its own name (workerId is ignored).',
    permission: 'work',
    input: S.heldInput.partial(),
    output: obj(Out.heldAnswer),
    handler: ({ service, input, c }) => {
      // Lease tokens go only to their holder: with tokens on, the caller is the token's name.
      const caller = principalOf(c);
      return service.held({ workerId: caller ? caller.name : (input.workerId as string) });
    },
  },
  {
    method: 'GET',
    path: `${JOB}/wait`,
    operationId: 'wait',
    summary: 'Held until the job ends or waitSeconds (≤ 50, default 50) pass; done says which.',
    permission: 'read',
    input: S.waitInput,
    output: obj(Out.waitAnswer),
    handler: ({ service, input, signal }) => service.wait(input as S.WaitInput, { signal }),
  },
  {
    method: 'POST',
    path: `${JOB}/release`,
    operationId: 'release',
    summary:
      'Hand back a job whose claim answer you could not deliver: queued again at once, the attempt not counted. A token that no longer holds the lease changes nothing.',
    permission: 'work',
    input: S.releaseInput,
    output: obj({ released: z.boolean(), job: z.looseObject({}) }),
    handler: ({ service, input }) => service.release(input as S.ReleaseInput),
  },
];
