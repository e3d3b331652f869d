// Which queue `agent-queue worker` works on: the database itself (with a sweeper), or a remote
// `serve` through its REST API (--server) for a machine that may not reach the database. Either way
// the runtime gets the same WorkerPort; this module decides which and proves it usable at start.
import { QueueError, isQueueError } from '../core/errors.js';
import { RemoteQueue } from '../client/remote-queue.js';
import type { Logger } from '../log.js';
import { openQueue } from '../open.js';
import { startSweeper } from '../queue/maintenance.js';
import type { WorkerPort } from '../queue/worker-port.js';
import type { Settings } from '../settings/types.js';
import { describeTarget } from '../store/db-errors.js';
import { databaseHealth } from './lifecycle.js';

export interface WorkerQueue {
  port: WorkerPort;
  /** For the start-up line: `{ database }` or `{ server }` (origin and path only, never the token). */
  where: { database: string } | { server: string };
  /** The id the queue records this worker's claims under (with a token: the token's name). */
  workerId: string;
  close(): Promise<void>;
}

/** How to get a worker token, after the server refused the one given (or its absence). */
const TOKEN_FIX =
  'Create a worker token on a machine that reaches the database (`agent-queue token create --role worker --name <name> [--types a,b]`) and give it to this worker as AGENT_QUEUE_TOKEN (or --token).';

/**
 * Opens the worker's queue. Not lazy: a worker whose database or server cannot be reached at start
 * says why and exits 3 (unavailable); a refused token exits 1 with how to get a working one.
 */
export async function openWorkerQueue(
  settings: Settings,
  opts: { workerId: string; log: Logger },
): Promise<WorkerQueue> {
  const { server, token } = settings.remote;
  if (server === undefined) return openLocal(settings, opts.workerId, opts.log);
  const remote = new RemoteQueue({ server, token });
  const workerId = await probe(remote, opts.workerId, token !== undefined);
  return {
    port: remote,
    where: { server: remote.client.where },
    workerId,
    // Nothing to close: every call is its own request. The server's sweeper handles lease expiry.
    close: async () => {},
  };
}

async function openLocal(settings: Settings, workerId: string, log: Logger): Promise<WorkerQueue> {
  const queue = await openQueue(settings);
  const health = databaseHealth(log);
  const sweeper = startSweeper(queue.service, {
    retentionDays: settings.queue.retentionDays,
    onOk: health.ok,
    onError: health.failed,
  });
  return {
    port: queue.service,
    where: { database: describeTarget(settings.database.target) },
    workerId,
    async close() {
      await sweeper.stop();
      await queue.close().catch((err: unknown) => log.warn({ err }, 'closing the database failed'));
    },
  };
}

/**
 * One `held` call proves the server reachable, the token valid and its `work` permission; with a
 * token its answer names the token, which the server records as the worker id of every claim.
 */
async function probe(remote: RemoteQueue, workerId: string, withToken: boolean): Promise<string> {
  try {
    const answer = await remote.held({ workerId });
    return withToken ? answer.workerId : workerId;
  } catch (err) {
    if (isQueueError(err) && (err.code === 'unauthorized' || err.code === 'forbidden')) {
      // A forbidden answer already names the role that would do; unauthorized says only "no".
      const fix = err.code === 'unauthorized' ? ` ${TOKEN_FIX}` : '';
      throw new QueueError(
        err.code,
        `The server at ${remote.client.where} refused this worker: ${err.message}${fix}`,
        { cause: err },
      );
    }
    throw err;
  }
}
