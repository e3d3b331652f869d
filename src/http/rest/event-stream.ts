// GET /api/queue/jobs/{id}/events/stream: a job's timeline as Server-Sent Events. Each event goes
// out once, in id order, with `id:` set to its id, so an EventSource that reconnects sends
// Last-Event-ID and continues with the next one: no gap, no duplicate. Waiting is pushed (a write
// in this process, a wake-up signal about the job from another); the read every second catches
// other processes' writes, which send no signal. A comment every 15 s keeps proxies from closing
// an idle stream. Once the job is finished and every event is out, `event: end` closes it.
import { streamSSE } from 'hono/streaming';
import { isTerminal } from '../../core/job.js';
import { QueueError } from '../../core/errors.js';
import type * as S from '../../queue/schemas.js';
import type { RouteCall } from './route.js';

const PAGE = 200;
/** Events after which a job may be finished (a retry can still requeue it). */
const ENDING_KINDS = new Set(['completed', 'failed', 'dead_lettered', 'cancelled']);
const RECHECK_MS = 1_000;
const KEEPALIVE_MS = 15_000;
/** How long an EventSource waits before reconnecting after the stream broke. */
const RETRY_MS = 2_000;

/** Where to start: Last-Event-ID (a reconnect) wins over ?after= (the first connection). */
function startAfter(call: RouteCall): unknown {
  const header = call.c.req.header('last-event-id');
  if (header === undefined || header.trim() === '') return call.input.after;
  if (!/^\d{1,15}$/.test(header.trim())) {
    throw new QueueError(
      'invalid_argument',
      'Last-Event-ID must be the id of an event this stream sent (a whole number). Reconnect without it to start from the beginning.',
    );
  }
  return Number(header.trim());
}

export async function eventStream(call: RouteCall): Promise<Response> {
  const { service, c, signal } = call;
  const jobId = call.input.jobId as string;
  const from = startAfter(call);
  // Validates the id, the cursor and the query, and answers 404 as JSON before any stream starts.
  await service.events({
    ...(call.input as S.EventsInput),
    ...(from !== undefined ? { after: from } : {}),
    limit: 1,
  });
  const release = call.streams.take();
  if (!release) {
    throw new QueueError(
      'unavailable',
      `This server already holds ${call.streams.max} live event streams. Close one you no longer read, or poll GET /api/queue/jobs/{id}/events with after= instead.`,
    );
  }
  let watch: Awaited<ReturnType<RouteCall['service']['watchActivity']>>;
  try {
    watch = await service.watchActivity(jobId);
  } catch (err) {
    release();
    throw err;
  }
  return streamSSE(
    c,
    async (stream) => {
      let after = Number(from ?? 0);
      let lastWrite = Date.now();
      const send = async (text: string) => {
        await stream.write(text);
        lastWrite = Date.now();
      };
      /** Sends every event after `after`; true if there were any. */
      const drain = async (): Promise<{ sent: boolean; ending: boolean }> => {
        let sent = false;
        let ending = false;
        for (;;) {
          const { events } = await service.events({ jobId, after, limit: PAGE });
          for (const e of events) {
            await stream.writeSSE({ id: String(e.id), data: JSON.stringify(e) });
            after = e.id;
            ending = ENDING_KINDS.has(e.kind);
          }
          if (events.length > 0) {
            sent = true;
            lastWrite = Date.now();
          }
          if (events.length < PAGE || signal.aborted) return { sent, ending };
        }
      };
      try {
        await send(`retry: ${RETRY_MS}\n\n`);
        // The job is read only when it may have finished: at the start and after an ending event
        // (every change of status writes an event), not on every round.
        let mayHaveEnded = true;
        while (!signal.aborted && !stream.aborted) {
          const { ending } = await drain();
          if (ending || mayHaveEnded) {
            const { job } = await service.get({ jobId });
            // Events written before that read are out once this drain is: then the stream may end.
            if (isTerminal(job.status) && !(await drain()).sent) {
              await stream.writeSSE({ event: 'end', data: JSON.stringify({ status: job.status }) });
              return;
            }
            mayHaveEnded = false;
          }
          const untilKeepalive = lastWrite + KEEPALIVE_MS - Date.now();
          await watch.wait(Math.max(0, Math.min(RECHECK_MS, untilKeepalive)), signal);
          if (Date.now() - lastWrite >= KEEPALIVE_MS) await send(': keep-alive\n\n');
        }
      } finally {
        watch.close();
        release();
      }
    },
    // A failure mid-stream (the database went away) goes out as `event: error` with its message,
    // written by streamSSE itself; the client reconnects with Last-Event-ID.
    async () => {},
  );
}
