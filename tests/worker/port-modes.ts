// The worker engine's suites run over both ways a worker reaches the queue: `local`, the
// in-process QueueService (a worker on the database), and `remote`, a RemoteQueue to a real HTTP
// server (serve's REST API) over that same service (`agent-queue worker --server`). The test bodies
// stay the same: they take `w.port` where they took `q.service`.
import { afterEach, beforeEach } from 'vitest';
import { RemoteQueue } from '../../src/client/remote-queue.js';
import type { QueueService } from '../../src/queue/service.js';
import type { WorkerPort } from '../../src/queue/worker-port.js';
import { backendsForSuite, type Backend, type TestQueue } from '../helpers/backends.js';
import { listenRest } from '../http/rest-harness.js';

export type PortMode = 'local' | 'remote';
export const PORT_MODES: PortMode[] = ['local', 'remote'];

/** Every backend of the suite with every mode, named for describe.each: "sqlite, remote". */
export function workerCases(): { name: string; backend: Backend; mode: PortMode }[] {
  return backendsForSuite().flatMap((backend) =>
    PORT_MODES.map((mode) => ({ name: `${backend.name}, ${mode}`, backend, mode })),
  );
}

export interface WorkerPorts {
  /** The worker's port onto the test queue's own service. */
  readonly port: WorkerPort;
  /** The worker's port onto another service (a connection with its own settings). */
  over(service: QueueService): Promise<WorkerPort>;
}

/**
 * A fresh port for every test of the enclosing describe, over the queue `queue()` returns. Register
 * it after useTestQueue and before killWorkersAfterEach: after-hooks run in reverse, so the workers
 * stop while their server still answers, and the server closes before the queue does.
 */
export function useWorkerPorts(mode: PortMode, queue: () => TestQueue): WorkerPorts {
  const servers: { close(): Promise<void> }[] = [];
  let port: WorkerPort | undefined;
  const over = async (service: QueueService): Promise<WorkerPort> => {
    if (mode === 'local') return service;
    const server = await listenRest(service);
    servers.push(server);
    return new RemoteQueue({ server: server.base.href });
  };
  beforeEach(async () => {
    port = await over(queue().service);
  });
  afterEach(async () => {
    port = undefined;
    for (const server of servers.splice(0)) await server.close();
  });
  return {
    get port() {
      if (!port) throw new Error('useWorkerPorts: no port outside a test');
      return port;
    },
    over,
  };
}
